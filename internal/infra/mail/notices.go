package mail

import (
	"fmt"
	"strings"

	"github.com/hireflow/hireflow"
)

type notice struct {
	staff      bool
	subject    [2]string   // en, zh; {{job}} {{org}}
	paragraphs [][2]string // may contain {{job}} {{org}} {{detail}}
}

var notices = map[string]notice{
	hireflow.NoticeInterviewReminder: {subject: [2]string{"Reminder: your interview for {{job}} is waiting", "提醒：{{job}} 职位的面试尚未完成"},
		paragraphs: [][2]string{{"Your interview for {{job}} at {{org}} is not complete yet. It is open until {{detail}}.", "您在{{org}}申请的{{job}}职位面试尚未完成，截止时间为 {{detail}}。"}}},
	hireflow.NoticeInterviewReceived: {subject: [2]string{"We received your interview for {{job}}", "已收到您的{{job}}职位面试"},
		paragraphs: [][2]string{{"Thank you: all your answers arrived. A person will look at them; we will write to you about the next step.", "感谢您完成面试，所有回答均已收到。我们会由专人查看，并通过邮件告知下一步安排。"}}},
	hireflow.NoticeOffer: {subject: [2]string{"Your offer for {{job}} at {{org}}", "{{org}}{{job}}职位录用通知"},
		paragraphs: [][2]string{{"We are delighted to offer you the position of {{job}}. Open your application page to read the offer and accept or decline it before {{detail}}.", "我们很高兴向您发出{{job}}职位的录用邀请。请在 {{detail}} 前打开申请页面查看并接受或拒绝。"}}},
	hireflow.NoticeOnboarding: {subject: [2]string{"Welcome to {{org}}: your onboarding form", "欢迎加入{{org}}：请填写入职信息"},
		paragraphs: [][2]string{{"Welcome aboard! We prefilled your onboarding form from your application and offer; please check it and complete the missing fields.", "欢迎加入！我们已根据您的申请和录用信息预填了入职表，请核对并补充其余信息。"}}},
	hireflow.NoticeWithdrawal: {subject: [2]string{"Your application for {{job}} was withdrawn", "您已撤回{{job}}职位的申请"},
		paragraphs: [][2]string{{"As you asked, your application for {{job}} at {{org}} is withdrawn. Nothing more will happen with it.", "按照您的要求，您在{{org}}申请的{{job}}职位已撤回，后续不会再有任何步骤。"}}},
	hireflow.NoticeCancellation: {subject: [2]string{"About your application for {{job}}", "关于您申请的{{job}}职位"},
		paragraphs: [][2]string{{"We are sorry to tell you that the recruitment for {{job}} at {{org}} has been stopped for your application. Thank you for the time you gave us.", "很遗憾地通知您，您申请的{{org}}{{job}}职位招聘流程已终止。感谢您付出的时间。"}}},
	hireflow.NoticeDeletionRequest: {subject: [2]string{"We received your request to delete your data", "已收到您的数据删除请求"},
		paragraphs: [][2]string{{"Your application is closed and your request to delete your personal data is recorded. The deletion completes within the retention policy's deadline; we will confirm it.", "您的申请已关闭，删除个人数据的请求已记录。删除将在保留政策规定的期限内完成，届时我们会再次确认。"}}},
	hireflow.NoticeConsent: {subject: [2]string{"Your consent for the {{job}} interview", "您对{{job}}面试的授权确认"},
		paragraphs: [][2]string{{"You agreed on {{detail}} that your voice and video answers are recorded and processed for this application. You can withdraw or ask us to delete your data at any time from your application page.", "您已于 {{detail}} 同意为本次申请录制并处理您的语音和视频回答。您可以随时在申请页面撤回申请或要求删除数据。"}}},
	hireflow.NoticeNewLink: {subject: [2]string{"Your new link for {{job}} at {{org}}", "{{org}}「{{job}}」职位的新链接"},
		paragraphs: [][2]string{{"Here is a new link to your application, as you asked. Earlier links no longer work.", "这是您申请的新链接。之前的链接已失效。"}}},
	hireflow.NoticeOfferDeclined: {subject: [2]string{"You declined the offer for {{job}}", "您已拒绝{{job}}职位的录用"},
		paragraphs: [][2]string{{"We recorded that you declined the offer. Thank you, and all the best.", "我们已记录您拒绝了此次录用。感谢您，祝一切顺利。"}}},
	hireflow.NoticeOfferExpired: {subject: [2]string{"Your offer for {{job}} has expired", "{{job}}职位的录用邀请已过期"},
		paragraphs: [][2]string{{"The offer was not answered before it expired. Contact the recruiter if you are still interested.", "录用邀请在到期前未获答复，已失效。如仍有兴趣，请联系招聘方。"}}},

	hireflow.NoticeFeedbackRequest: {staff: true, subject: [2]string{"Interview feedback needed: {{job}}", "请提交面试反馈：{{job}}"},
		paragraphs: [][2]string{{"A live interview round for {{job}} waits for your structured feedback (ratings per dimension and a comment).", "{{job}}职位的一轮面试正在等待您的结构化反馈（各维度评分和评语）。"}}},
	hireflow.NoticeFeedbackReminder: {staff: true, subject: [2]string{"Reminder: interview feedback for {{job}}", "提醒：请尽快提交{{job}}的面试反馈"},
		paragraphs: [][2]string{{"Interview feedback for {{job}} is overdue.", "{{job}}职位的面试反馈已逾期。"}}},
	hireflow.NoticeReviewRequest: {staff: true, subject: [2]string{"Review needed: {{job}}", "请评审：{{job}}"},
		paragraphs: [][2]string{{"An application for {{job}} is ready for your review: the interview report and scores are attached to it.", "一份{{job}}职位的申请已可评审，面试报告与评分均已附上。"}}},
	hireflow.NoticeReviewReminder: {staff: true, subject: [2]string{"Reminder: review for {{job}}", "提醒：{{job}}的评审已逾期"},
		paragraphs: [][2]string{{"The review of an application for {{job}} is overdue.", "{{job}}职位的一份申请评审已逾期。"}}},
	hireflow.NoticeEscalation: {staff: true, subject: [2]string{"Escalation: {{job}} is waiting on {{detail}}", "升级提醒：{{job}}正在等待{{detail}}"},
		paragraphs: [][2]string{{"A step of an application for {{job}} ({{detail}}) is past its SLA even after reminders. Please follow up.", "{{job}}职位的一份申请（{{detail}}）在提醒后仍超过处理时限，请跟进。"}}},
	hireflow.NoticeApprovalRequest: {staff: true, subject: [2]string{"Offer approval needed: {{job}}", "请审批录用：{{job}}"},
		paragraphs: [][2]string{{"An offer for {{job}} waits for your approval. You can approve, reject with a reason, or delegate.", "一份{{job}}职位的录用等待您审批，您可以批准、附理由拒绝或转交他人。"}}},
	hireflow.NoticeApprovalReminder: {staff: true, subject: [2]string{"Reminder: offer approval for {{job}}", "提醒：{{job}}的录用审批已逾期"},
		paragraphs: [][2]string{{"The offer approval for {{job}} is overdue.", "{{job}}职位的录用审批已逾期。"}}},
	hireflow.NoticeApprovalOutcome: {staff: true, subject: [2]string{"Offer approval for {{job}}: {{detail}}", "{{job}}录用审批结果：{{detail}}"},
		paragraphs: [][2]string{{"The approval chain for the offer finished: {{detail}}.", "录用审批流程已结束：{{detail}}。"}}},
	hireflow.NoticeOfferResponse: {staff: true, subject: [2]string{"The candidate answered the offer for {{job}}: {{detail}}", "候选人已答复{{job}}的录用：{{detail}}"},
		paragraphs: [][2]string{{"The candidate's answer to the offer: {{detail}}.", "候选人对录用的答复：{{detail}}。"}}},
	hireflow.NoticeProbationRequest: {staff: true, subject: [2]string{"Probation evaluation due: {{job}}", "试用期评估：{{job}}"},
		paragraphs: [][2]string{{"The probation period of a hire for {{job}} has ended. Please submit the probation evaluation; it is used to calibrate interview scoring.", "{{job}}职位一名新员工的试用期已结束，请提交试用期评估，该结果将用于校准面试评分。"}}},
	hireflow.NoticeProbationReminder: {staff: true, subject: [2]string{"Reminder: probation evaluation for {{job}}", "提醒：{{job}}的试用期评估已逾期"},
		paragraphs: [][2]string{{"The probation evaluation for {{job}} is overdue.", "{{job}}职位的试用期评估已逾期。"}}},
	hireflow.NoticeHoldSLA: {staff: true, subject: [2]string{"An application for {{job}} waits for your decision", "「{{job}}」有一份申请等待您的决定"},
		paragraphs: [][2]string{{"An application for {{job}} is on hold and has waited longer than its service level for your decision. Please pass or reject it.", "「{{job}}」有一份待定申请已超过处理时限，请尽快决定通过或拒绝。"}}},
	hireflow.NoticeStaffInvite: {staff: true, subject: [2]string{"You are invited to {{org}} on hireflow", "邀请您加入 {{org}} 的 hireflow"},
		paragraphs: [][2]string{{"An administrator of {{org}} invited you to hireflow as {{detail}}. Set your password with the link below (it works once, for 7 days), then sign in; you can turn on two-step sign-in on your account page.",
			"{{org}} 的管理员邀请您以「{{detail}}」身份加入 hireflow。请通过下方链接设置密码（仅可使用一次，7 天内有效），然后登录；您可以在账号页面开启两步验证。"}}},
	hireflow.NoticeBiasAuditAlert: {staff: true, subject: [2]string{"Bias audit alert: {{org}}", "偏差审计预警：{{org}}"},
		paragraphs: [][2]string{{"The bias audit found groups whose impact ratio is under 0.8 (the four-fifths rule): {{detail}}. Review the decision rules before the next period.", "偏差审计发现影响比低于 0.8（五分之四规则）的群体：{{detail}}。请在下一周期前复核决策规则。"}}},
	hireflow.NoticeOfferDraftReminder: {staff: true, subject: [2]string{"An offer for {{job}} waits to be drafted", "{{job}}职位的录用待起草"},
		paragraphs: [][2]string{{"An application for {{job}} passed review and waits for an offer draft.", "一份{{job}}职位的申请已通过评审，等待起草录用。"}}},
	hireflow.NoticeScheduleChoose: {subject: [2]string{"Choose a time for your {{job}} interview", "请选择{{job}}职位的面试时间"},
		paragraphs: [][2]string{{"We are holding a few interview times for you with the interviewers of {{org}}. Open your application page to choose one, or tell us when suits you. The times are held until {{detail}}.",
			"我们为您预留了几个与{{org}}面试官的面试时间。请打开申请页面选择一个，或告诉我们您方便的时间。这些时间保留至 {{detail}}。"}}},
	hireflow.NoticeInterviewBooked: {subject: [2]string{"Interview for {{job}}: {{detail}}", "{{job}}职位面试：{{detail}}"},
		paragraphs: [][2]string{{"Your interview for {{job}} at {{org}} is booked for {{detail}}. The calendar invitation is attached; your application page has the link and lets you reschedule.",
			"您在{{org}}的{{job}}职位面试已安排在 {{detail}}。日历邀请已附上；申请页面上有会议链接，也可以改期。"}}},
	hireflow.NoticeInterviewSoon: {subject: [2]string{"Reminder: interview for {{job}} at {{detail}}", "提醒：{{job}}职位面试将于 {{detail}} 开始"},
		paragraphs: [][2]string{{"A reminder that the interview for {{job}} at {{org}} starts at {{detail}}.", "提醒您，{{org}}{{job}}职位的面试将于 {{detail}} 开始。"}}},
	hireflow.NoticeInterviewCanceled: {subject: [2]string{"Cancelled: interview for {{job}}", "已取消：{{job}}职位面试"},
		paragraphs: [][2]string{{"The interview for {{job}} at {{org}} planned for {{detail}} is cancelled. The calendar cancellation is attached.", "{{org}}{{job}}职位原定于 {{detail}} 的面试已取消，日历取消通知已附上。"}}},
	hireflow.NoticeScheduleReplan: {subject: [2]string{"Your interview for {{job}} needs a new time", "{{job}}职位面试需要重新安排时间"},
		paragraphs: [][2]string{{"An interviewer's roster changed and the interview for {{job}} at {{org}} planned for {{detail}} can no longer take place then. New times are on offer on the application page.",
			"由于面试官排班变动，{{org}}{{job}}职位原定于 {{detail}} 的面试无法按时进行。申请页面上已有新的可选时间。"}}},
	hireflow.NoticeDeletionDone: {subject: [2]string{"Your data has been deleted", "您的数据已删除"},
		paragraphs: [][2]string{{"As you asked, {{org}} has deleted your personal data from your application for {{job}}: your résumé, answers, recordings, transcripts and reports, and then your contact details, right after this message. What remains is a record that a decision was made, without anything that identifies you. Proof of deletion: {{detail}}.",
			"按照您的要求，{{org}}已删除您申请{{job}}职位的个人数据：简历、回答、录音录像、转写文本和报告，并将在本邮件发出后删除您的联系方式。保留的仅是不含任何可识别您身份信息的决策记录。删除凭证：{{detail}}。"}}},
	hireflow.NoticeDataAccess: {subject: [2]string{"Your copy of your data at {{org}}", "您在{{org}}的个人数据副本"},
		paragraphs: [][2]string{{"You asked for a copy of the personal data {{org}} holds from your application for {{job}}. The link below downloads it as one ZIP file (your details, answers, scores, decisions and who looked at them, with your résumé and recordings). It works for 24 hours. If you did not ask for this, ignore this email: nothing is sent anywhere else.",
			"您申请获取{{org}}在您申请{{job}}职位过程中保存的个人数据副本。点击下方链接可下载一个 ZIP 文件（包含您的资料、回答、评分、决策记录和查看记录，以及简历和录音录像）。链接 24 小时内有效。如果不是您本人申请，请忽略此邮件，数据不会发送到其他任何地方。"}}},
	hireflow.NoticeDeletionRefused: {subject: [2]string{"About your request to delete your data", "关于您的数据删除请求"},
		paragraphs: [][2]string{{"We cannot delete your data from your application for {{job}} at {{org}} yet: it is under a legal hold (kept because the law requires it, for example for a dispute or an inquiry). It will be deleted when the hold ends; we will write to you then.",
			"您在{{org}}申请{{job}}职位的数据目前无法删除：这些数据处于法律保留状态（依法必须保存，例如涉及争议或调查）。保留结束后我们会删除数据并通知您。"}}},
	hireflow.NoticeNoSlots: {staff: true, subject: [2]string{"No interview time found: {{job}}", "未找到面试时间：{{job}}"},
		paragraphs: [][2]string{{"No time in the booking window suits every interviewer of a live round for {{job}} ({{detail}}). Update the rosters or book a time for the candidate from the console.",
			"{{job}}职位的一轮面试在预约期内找不到所有面试官都有空的时间（{{detail}}）。请更新排班，或在控制台为候选人预约时间。"}}},
}

// IsNotice reports whether kind is a notice kind.
func IsNotice(kind string) bool { _, ok := notices[kind]; return ok }

// RenderNotice renders a notice kind; detail fills {{detail}} (a date, an outcome word).
func RenderNotice(kind string, d Data, detail string) (Rendered, error) {
	n, ok := notices[kind]
	if !ok {
		return Rendered{}, fmt.Errorf("mail: unknown notice %q", kind)
	}
	i := 0
	if d.Lang == "zh" {
		i = 1
	} else {
		d.Lang = "en"
	}
	if d.Color == "" {
		d.Color = "#1f5fbf"
	}
	rep := strings.NewReplacer("{{job}}", d.JobTitle, "{{org}}", d.OrgName, "{{detail}}", detail)
	d.Paragraphs = nil
	for _, p := range n.paragraphs {
		d.Paragraphs = append(d.Paragraphs, rep.Replace(p[i]))
	}
	tpl := "candidate_notice"
	if n.staff {
		tpl = "staff_notice"
	}
	name := tpl + "." + d.Lang
	var h, t strings.Builder
	if err := htmlT.ExecuteTemplate(&h, name+".html", d); err != nil {
		return Rendered{}, err
	}
	if err := textT.ExecuteTemplate(&t, name+".txt", d); err != nil {
		return Rendered{}, err
	}
	return Rendered{Subject: rep.Replace(n.subject[i]), Text: t.String(), HTML: h.String()}, nil
}
