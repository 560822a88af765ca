package resume

import (
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Facts are what screening may see of a résumé: skills, experience, education and languages.
// They never include names, contacts or free text.
type Facts struct {
	Skills        []string `json:"skills"`
	Years         float64  `json:"years"`
	Education     string   `json:"education"`
	EducationRank int      `json:"education_rank"`
	Languages     []string `json:"languages"`
}

// Education levels in ascending order; the rank is the index.
var EducationLevels = []string{"none", "highschool", "associate", "bachelor", "master", "phd"}

// EducationRank returns the rank of a level name, 0 for unknown.
func EducationRank(level string) int {
	for i, l := range EducationLevels {
		if l == strings.ToLower(strings.TrimSpace(level)) {
			return i
		}
	}
	return 0
}

// skillLexicon maps a canonical skill to the phrases that mention it (en and zh).
var skillLexicon = map[string][]string{
	"go":                 {"golang", "go"},
	"python":             {"python"},
	"java":               {"java"},
	"javascript":         {"javascript", "js"},
	"typescript":         {"typescript"},
	"sql":                {"sql"},
	"postgresql":         {"postgresql", "postgres"},
	"mysql":              {"mysql"},
	"kubernetes":         {"kubernetes", "k8s"},
	"docker":             {"docker"},
	"aws":                {"aws", "amazon web services"},
	"react":              {"react"},
	"linux":              {"linux"},
	"git":                {"git"},
	"excel":              {"excel"},
	"temporal":           {"temporal"},
	"machine learning":   {"machine learning", "机器学习"},
	"data analysis":      {"data analysis", "数据分析"},
	"sales":              {"sales", "销售"},
	"negotiation":        {"negotiation", "谈判"},
	"customer service":   {"customer service", "客户服务", "客服"},
	"project management": {"project management", "项目管理"},
	"marketing":          {"marketing", "市场营销"},
	"accounting":         {"accounting", "会计"},
	"recruiting":         {"recruiting", "招聘"},
	"communication":      {"communication", "沟通"},
	"leadership":         {"leadership", "领导力", "团队管理"},
	"english":            {},
}

var languageLexicon = map[string][]string{
	"english":   {"english", "英语", "cet-6", "cet-4", "ielts", "toefl"},
	"chinese":   {"chinese", "mandarin", "普通话", "中文", "汉语"},
	"cantonese": {"cantonese", "粤语"},
	"japanese":  {"japanese", "日语"},
	"korean":    {"korean", "韩语"},
	"german":    {"german", "德语"},
	"french":    {"french", "法语"},
	"spanish":   {"spanish", "西班牙语"},
}

var educationCues = []struct {
	level string
	cues  []string
}{
	{"phd", []string{"phd", "ph.d", "doctorate", "doctor of", "博士"}},
	{"master", []string{"master", "msc", "m.sc", "mba", "m.s.", "硕士", "研究生"}},
	{"bachelor", []string{"bachelor", "b.sc", "bsc", "b.s.", "b.a.", "b.eng", "undergraduate", "本科", "学士"}},
	{"associate", []string{"associate degree", "大专", "专科"}},
	{"highschool", []string{"high school", "高中", "中专"}},
}

var (
	yearsRe   = regexp.MustCompile(`(?i)(\d{1,2}(?:\.\d)?)\s*\+?\s*(?:years?|yrs?)\b|(\d{1,2})\s*\+?\s*年(?:以上)?[^，。,.;；\d\n]{0,8}?经验`)
	rangeRe   = regexp.MustCompile(`(?i)\b((?:19|20)\d{2})(?:[./-]\d{1,2})?\s*(?:-|–|—|~|to|至)\s*((?:19|20)\d{2}|present|now|current|today|至今|现在)`)
	asciiWord = regexp.MustCompile(`^[a-z0-9 .+#-]+$`)
)

// ExtractFacts reads the facts from résumé text. extraSkills (the job's own skill names) are
// matched too, so a job can ask for skills the built-in lexicon lacks. now bounds open ranges.
func ExtractFacts(text string, extraSkills []string, now time.Time) Facts {
	lower := strings.ToLower(text)
	f := Facts{Skills: []string{}, Languages: []string{}, Education: "none"}

	seen := map[string]bool{}
	add := func(s string) {
		if !seen[s] {
			seen[s] = true
			f.Skills = append(f.Skills, s)
		}
	}
	for skill, phrases := range skillLexicon {
		for _, p := range phrases {
			if mentions(lower, p) {
				add(skill)
				break
			}
		}
	}
	for _, s := range extraSkills {
		s = strings.ToLower(strings.TrimSpace(s))
		if s != "" && mentions(lower, s) {
			add(s)
		}
	}
	sort.Strings(f.Skills)

	for lang, cues := range languageLexicon {
		for _, c := range cues {
			if mentions(lower, c) {
				f.Languages = append(f.Languages, lang)
				break
			}
		}
	}
	sort.Strings(f.Languages)

	for _, e := range educationCues {
		found := false
		for _, c := range e.cues {
			if mentions(lower, c) {
				found = true
				break
			}
		}
		if found {
			f.Education = e.level
			break
		}
	}
	f.EducationRank = EducationRank(f.Education)
	f.Years = yearsOfExperience(lower, now)
	return f
}

// mentions matches ASCII phrases on word boundaries and CJK phrases as substrings.
func mentions(lower, phrase string) bool {
	if !asciiWord.MatchString(phrase) {
		return strings.Contains(lower, phrase)
	}
	for i := 0; ; {
		j := strings.Index(lower[i:], phrase)
		if j < 0 {
			return false
		}
		start, end := i+j, i+j+len(phrase)
		if (start == 0 || !isWordByte(lower[start-1])) && (end == len(lower) || !isWordByte(lower[end])) {
			return true
		}
		i = start + 1
	}
}

func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_'
}

// yearsOfExperience prefers explicit claims ("5 years", "5年经验"); without one it adds up the
// union of dated ranges ("2018 - 2021", "2021 – present"), which may include study.
func yearsOfExperience(lower string, now time.Time) float64 {
	best := 0.0
	for _, m := range yearsRe.FindAllStringSubmatch(lower, -1) {
		s := m[1]
		if s == "" {
			s = m[2]
		}
		if v, err := strconv.ParseFloat(s, 64); err == nil && v <= 50 && v > best {
			best = v
		}
	}
	type span struct{ from, to int }
	var spans []span
	for _, m := range rangeRe.FindAllStringSubmatch(lower, -1) {
		from, _ := strconv.Atoi(m[1])
		to, err := strconv.Atoi(m[2])
		if err != nil {
			to = now.Year()
		}
		if to < from || to > now.Year()+1 || from < 1950 {
			continue
		}
		spans = append(spans, span{from, to})
	}
	sort.Slice(spans, func(i, j int) bool { return spans[i].from < spans[j].from })
	total, curFrom, curTo := 0, -1, -1
	for _, s := range spans {
		if curTo < 0 || s.from > curTo {
			if curTo >= 0 {
				total += curTo - curFrom
			}
			curFrom, curTo = s.from, s.to
		} else if s.to > curTo {
			curTo = s.to
		}
	}
	if curTo >= 0 {
		total += curTo - curFrom
	}
	if best == 0 {
		best = float64(total)
	}
	return best
}
