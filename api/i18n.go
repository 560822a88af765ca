package api

// messages holds the page texts in English and Chinese; keys are stable identifiers.
var messages = map[string][2]string{
	"lang.switch":        {"中文", "English"},
	"status.title":       {"Your application", "我的申请"},
	"status.hello":       {"Hello", "您好"},
	"status.for":         {"Application for:", "申请职位："},
	"status.stage":       {"Where it stands", "当前进度"},
	"status.next":        {"What happens next", "下一步"},
	"status.updated":     {"Last update:", "最近更新："},
	"stage.applied":      {"Received", "已收到"},
	"stage.screening":    {"Being reviewed", "审核中"},
	"stage.hold":         {"Being reviewed by a recruiter", "招聘专员审核中"},
	"stage.invited":      {"Invited to the next step", "已邀请进入下一步"},
	"stage.interview":    {"Interview", "面试"},
	"stage.rejected":     {"Closed", "已结束"},
	"stage.expired":      {"Invitation expired", "邀请已过期"},
	"stage.withdrawn":    {"Withdrawn", "已撤回"},
	"next.applied":       {"We are reviewing your application. You will hear from us by email.", "我们正在审核您的申请，结果将通过邮件通知您。"},
	"next.screening":     {"We are reviewing your application. You will hear from us by email.", "我们正在审核您的申请，结果将通过邮件通知您。"},
	"next.hold":          {"A recruiter is looking at your application personally. You will hear from us by email.", "招聘专员正在亲自审阅您的申请，结果将通过邮件通知您。"},
	"next.invited":       {"A short video interview you can record on your phone. We will guide you through consent, a device check and a practice question first.", "一次可以用手机完成的视频面试。开始前我们会引导您完成授权、设备检测和一道练习题。"},
	"next.interview":     {"A short video interview you can record on your phone. We will guide you through consent, a device check and a practice question first.", "一次可以用手机完成的视频面试。开始前我们会引导您完成授权、设备检测和一道练习题。"},
	"next.rejected":      {"This application is closed. Thank you for your interest.", "此申请已结束，感谢您的关注。"},
	"next.expired":       {"The invitation has expired. Contact the recruiter if you are still interested.", "邀请已过期。如您仍有兴趣，请联系招聘方。"},
	"next.withdrawn":     {"You withdrew this application. Nothing more will happen.", "您已撤回此申请，不会再有后续步骤。"},
	"valid_until":        {"Your invitation is valid until", "邀请有效期至"},
	"withdraw.title":     {"Withdraw my application", "撤回我的申请"},
	"withdraw.confirm":   {"I want to withdraw this application", "我确认撤回此申请"},
	"withdraw.button":    {"Withdraw", "撤回申请"},
	"withdraw.done":      {"Your withdrawal was received. We are sorry to see you go.", "已收到您的撤回请求，感谢您的关注。"},
	"withdraw.need":      {"Tick the box to confirm.", "请勾选确认。"},
	"error.title":        {"This link cannot be used", "此链接无法使用"},
	"error.help":         {"Use the newest email we sent you, or contact the recruiter for a new link.", "请使用我们最新发送给您的邮件中的链接，或联系招聘方获取新链接。"},
	"apply.title":        {"Apply", "申请职位"},
	"apply.name":         {"Full name", "姓名"},
	"apply.email":        {"Email", "邮箱"},
	"apply.phone":        {"Phone (optional)", "电话（选填）"},
	"apply.language":     {"Language for our emails", "邮件语言"},
	"apply.resume":       {"Résumé (PDF, DOCX or TXT, up to 10 MB)", "简历（PDF、DOCX 或 TXT，最大 10 MB）"},
	"apply.consent":      {"I have read the privacy notice and agree that my application data is processed for this recruitment.", "我已阅读隐私声明，同意为本次招聘处理我的申请资料。"},
	"apply.privacy":      {"Privacy notice: your data is used only for this recruitment, stored encrypted, and deleted at the end of the retention period or when you ask.", "隐私声明：您的资料仅用于本次招聘，加密存储，并在保存期满或您提出要求时删除。"},
	"apply.too_large":    {"The file is larger than 10 MB. Please upload a smaller file.", "文件超过 10 MB，请上传更小的文件。"},
	"apply.submit":       {"Send application", "提交申请"},
	"apply.sending":      {"Sending…", "正在提交…"},
	"apply.requirements": {"What we look for", "任职要求"},
	"eeo.title":          {"Optional: equal-opportunity questions", "选填：平等机会调查"},
	"eeo.why":            {"Answers are voluntary, never seen by reviewers and never used to decide; they are only counted to check that our process treats every group fairly.", "回答完全自愿，评审人看不到，也绝不用于决策；仅用于统计检查招聘流程是否公平对待各个群体。"},
	"eeo.sex":            {"Sex", "性别"},
	"eeo.female":         {"Female", "女"},
	"eeo.male":           {"Male", "男"},
	"eeo.other":          {"Other", "其他"},
	"eeo.undisclosed":    {"Prefer not to say", "不愿透露"},
	"eeo.age":            {"Age band", "年龄段"},
	"eeo.region":         {"Region", "地区"},
	"decisions.title":    {"Decisions and why", "决策及原因"},
	"decisions.app":      {"Application", "申请"},
	"decisions.kind":     {"Decision", "决策"},
	"decisions.outcome":  {"Outcome", "结果"},
	"decisions.why":      {"Why", "原因"},
	"decisions.when":     {"When", "时间"},
	"decisions.none":     {"No decisions yet.", "暂无决策。"},
	"footer":             {"Powered by hireflow", "由 hireflow 提供支持"},
}

func translate(lang, key string) string {
	m, ok := messages[key]
	if !ok {
		return key
	}
	if lang == "zh" {
		return m[1]
	}
	return m[0]
}
