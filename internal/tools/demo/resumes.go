// Package demo creates the demo organisation, staff, jobs and candidates that `hireflow dev`
// loads, and makes sample résumé files (text and real PDF) for demos, tests and benchmarks.
package demo

import (
	"archive/zip"
	"bytes"
	"fmt"
	"strings"

	"github.com/go-pdf/fpdf"
)

// ResumePDF renders lines of ASCII/Latin-1 text as a real one-page-per-60-lines PDF.
func ResumePDF(lines []string) []byte {
	p := fpdf.New("P", "mm", "A4", "")
	p.SetFont("Helvetica", "", 11)
	tr := p.UnicodeTranslatorFromDescriptor("")
	p.AddPage()
	for i, l := range lines {
		if i > 0 && i%60 == 0 {
			p.AddPage()
		}
		p.CellFormat(0, 5.5, tr(l), "", 1, "L", false, 0, "")
	}
	var b bytes.Buffer
	if err := p.Output(&b); err != nil {
		panic(fmt.Sprintf("demo: pdf: %v", err))
	}
	return b.Bytes()
}

// ResumeDOCX builds a minimal valid Word document with one paragraph per line.
func ResumeDOCX(lines []string) []byte {
	var b bytes.Buffer
	z := zip.NewWriter(&b)
	add := func(name, body string) {
		w, _ := z.Create(name)
		_, _ = w.Write([]byte(body))
	}
	add("[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>`)
	add("_rels/.rels", `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>`)
	var doc strings.Builder
	doc.WriteString(`<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>`)
	for _, l := range lines {
		var esc bytes.Buffer
		_ = xmlEscape(&esc, l)
		doc.WriteString(`<w:p><w:r><w:t xml:space="preserve">` + esc.String() + `</w:t></w:r></w:p>`)
	}
	doc.WriteString(`</w:body></w:document>`)
	add("word/document.xml", doc.String())
	_ = z.Close()
	return b.Bytes()
}

// Profile is a made-up candidate.
type Profile struct {
	Name, Email, Phone, Language string
	Lines                        []string
}

// StrongBackend passes the demo backend job's rule; WeakBackend fails it; PartialBackend is held.
func StrongBackend(name, email string) Profile {
	return Profile{Name: name, Email: email, Phone: "+44 20 7946 0000", Language: "en", Lines: []string{
		name, email, "",
		"Senior backend engineer with 7 years of experience building distributed systems.",
		"Skills: Go, PostgreSQL, Kubernetes, Docker, Temporal, SQL, Linux, Git",
		"Experience:",
		"2019 - present  Platform engineer, Example Payments Ltd: built Go services on Kubernetes.",
		"2017 - 2019  Backend developer, Example Retail: PostgreSQL tuning, REST APIs.",
		"Education: BSc Computer Science, University of Somewhere (bachelor).",
		"Languages: English (native), Mandarin (conversational).",
	}}
}

// WeakBackend is a candidate without the must-have skills.
func WeakBackend(name, email string) Profile {
	return Profile{Name: name, Email: email, Language: "en", Lines: []string{
		name, email, "",
		"Graphic designer with 1 year of experience in brand identity and illustration.",
		"Tools: Photoshop, Illustrator, Figma.",
		"Education: high school diploma.",
		"Languages: English.",
	}}
}

// PartialBackend has some must-have skills but not all.
func PartialBackend(name, email string) Profile {
	return Profile{Name: name, Email: email, Language: "en", Lines: []string{
		name, email, "",
		"Software developer with 4 years of experience.",
		"Skills: Go, Docker, MySQL.",
		"Education: Bachelor of Engineering.",
		"Languages: English.",
	}}
}

// ChineseSales is a Chinese-language résumé for the sales job.
func ChineseSales(name, email string) Profile {
	return Profile{Name: name, Email: email, Language: "zh", Lines: []string{
		name, email, "",
		"求职意向：销售代表",
		"5年销售经验，擅长客户服务与商务谈判，熟练使用 Excel 进行数据分析。",
		"2019 - 至今  某科技公司  大客户销售",
		"教育背景：本科  市场营销",
		"语言：普通话、英语（CET-6）",
	}}
}

// ProtectedPDF is a résumé PDF that opens only with a password (fpdf's standard encryption).
func ProtectedPDF(lines []string) []byte {
	return pdfWith(lines, func(p *fpdf.Fpdf) { p.SetProtection(fpdf.CnProtectPrint, "candidate-secret", "owner-secret") })
}

// ScriptedPDF is a résumé PDF carrying document JavaScript (active content).
func ScriptedPDF(lines []string) []byte {
	return pdfWith(lines, func(p *fpdf.Fpdf) { p.SetJavascript("app.alert('hello');") })
}

func pdfWith(lines []string, opt func(*fpdf.Fpdf)) []byte {
	p := fpdf.New("P", "mm", "A4", "")
	opt(p)
	p.SetFont("Helvetica", "", 11)
	p.AddPage()
	for _, l := range lines {
		p.CellFormat(0, 6, l, "", 1, "L", false, 0, "")
	}
	var b bytes.Buffer
	if err := p.Output(&b); err != nil {
		panic(fmt.Sprintf("demo: pdf: %v", err))
	}
	return b.Bytes()
}

// EncryptedOffice looks like what Office writes for a password-protected .docx: an OLE compound
// file holding an EncryptedPackage stream.
func EncryptedOffice() []byte {
	b := []byte{0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1}
	b = append(b, bytes.Repeat([]byte{0}, 500)...)
	for _, r := range "EncryptedPackage" {
		b = append(b, byte(r), 0)
	}
	return append(b, bytes.Repeat([]byte{7}, 500)...)
}
