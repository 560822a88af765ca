package resume_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/require"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/simplifiedchinese"
	xunicode "golang.org/x/text/encoding/unicode"

	"github.com/hireflow/hireflow"
	"github.com/hireflow/hireflow/internal/analysis/resume"
	"github.com/hireflow/hireflow/internal/tools/demo"
)

var ctx = context.Background()

func TestExtractFormats(t *testing.T) {
	p := demo.StrongBackend("Ada Example", "ada@example.com")
	gbk, err := simplifiedchinese.GB18030.NewEncoder().Bytes([]byte(strings.Join(demo.ChineseSales("王小明", "w@example.com").Lines, "\n")))
	require.NoError(t, err)
	for _, tc := range []struct {
		name, file string
		data       []byte
		format     resume.Format
		want       string
	}{
		{"PDF", "cv.pdf", demo.ResumePDF(p.Lines), resume.FormatPDF, "Kubernetes"},
		{"DOCX", "cv.docx", demo.ResumeDOCX(p.Lines), resume.FormatDOCX, "PostgreSQL tuning"},
		{"TXT", "cv.txt", []byte(strings.Join(p.Lines, "\n")), resume.FormatTXT, "distributed systems"},
		{"GBKText", "简历.txt", gbk, resume.FormatTXT, "5年销售经验"},
		{"NoExtension", "cv", demo.ResumePDF(p.Lines), resume.FormatPDF, "Temporal"},
		// The content decides, never the name.
		{"PDFNamedDocx", "cv.docx", demo.ResumePDF(p.Lines), resume.FormatPDF, "Temporal"},
		{"TrailingSpace", "resume.pdf ", demo.ResumePDF(p.Lines), resume.FormatPDF, "Temporal"},
		{"DoubleExtension", "resume.pdf.exe", demo.ResumePDF(p.Lines), resume.FormatPDF, "Temporal"},
		{"SemicolonName", "resume.pdf;.sh", demo.ResumePDF(p.Lines), resume.FormatPDF, "Temporal"},
		{"RTLOverride", "cv\u202efdp.exe", demo.ResumePDF(p.Lines), resume.FormatPDF, "Temporal"},
		{"Latin1Text", "cv.txt", latin1(t, latin1Resume), resume.FormatTXT, "José Müller-Peña"},
		{"Windows1252Text", "cv.txt", win1252(t, latin1Resume+"\n“Quoted” – résumé"), resume.FormatTXT, "“Quoted” – résumé"},
		{"UTF16LE", "cv.txt", utf16le(t, "王小明\n"+latin1Resume), resume.FormatTXT, "王小明"},
		{"UTF8BOM", "cv.txt", append([]byte("\xef\xbb\xbf"), []byte(latin1Resume)...), resume.FormatTXT, "Müller"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			text, f, herr := resume.Extract(ctx, tc.data, tc.file)
			require.Nil(t, herr)
			require.Equal(t, tc.format, f)
			require.Contains(t, text, tc.want)
		})
	}
}

func TestExtractRefusesBadFiles(t *testing.T) {
	pdf := demo.ResumePDF(demo.StrongBackend("A", "a@example.com").Lines)
	png := append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{0, 1, 2, 3}, 100)...)
	for _, tc := range []struct {
		name, file string
		data       []byte
		code       string
		kind       hireflow.Kind
	}{
		{"Empty", "cv.pdf", nil, "file_empty", hireflow.KindInvalid},
		{"Image", "cv.png", png, "unsupported_file_type", hireflow.KindUnsupported},
		{"ImageNamedPDF", "cv.pdf", png, "unsupported_file_type", hireflow.KindUnsupported},
		{"TruncatedPDF", "cv.pdf", pdf[:len(pdf)/3], "resume_unreadable", hireflow.KindInvalid},
		{"GarbagePDF", "cv.pdf", append([]byte("%PDF-1.7\n"), bytes.Repeat([]byte("garbage "), 50)...), "resume_unreadable", hireflow.KindInvalid},
		{"ZipNotWord", "cv.docx", zipWith("hello.txt", "hi"), "unsupported_file_type", hireflow.KindUnsupported},
		{"CorruptZip", "cv.docx", []byte("PK\x03\x04garbage-garbage-garbage"), "resume_unreadable", hireflow.KindInvalid},
		{"TooShort", "cv.txt", []byte("hi"), "resume_no_text", hireflow.KindInvalid},
		{"ExeNamedTxt", "cv.txt", append([]byte("MZ\x90\x00"), bytes.Repeat([]byte{0}, 200)...), "unsupported_file_type", hireflow.KindUnsupported},
		{"EncryptedPDF", "cv.pdf", demo.ProtectedPDF([]string{"Go engineer, 7 years of PostgreSQL and Kubernetes"}), "encrypted_document", hireflow.KindInvalid},
		{"EncryptedDocx", "cv.docx", demo.EncryptedOffice(), "encrypted_document", hireflow.KindInvalid},
		{"OldDoc", "cv.doc", append([]byte{0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1}, bytes.Repeat([]byte{1}, 600)...), "unsupported_file_type", hireflow.KindUnsupported},
		{"PDFJavaScript", "cv.pdf", demo.ScriptedPDF([]string{"Go engineer, 7 years of PostgreSQL and Kubernetes"}), "active_content", hireflow.KindInvalid},
		{"DocxMacros", "cv.docm", zipFiles(map[string]string{"word/document.xml": wordDoc("Go engineer with many years of experience"), "word/vbaProject.bin": "Attribute VB_Name"}), "active_content", hireflow.KindInvalid},
		{"DocxDTD", "cv.docx", zipWith("word/document.xml", `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>&lol2;</w:t></w:r></w:p></w:body></w:document>`), "active_content", hireflow.KindInvalid},
		{"DocxXXE", "cv.docx", zipWith("word/document.xml", `<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>&x;</w:t></w:r></w:p></w:body></w:document>`), "active_content", hireflow.KindInvalid},
		{"ZipBomb", "bomb.docx", zipBomb(), "document_too_large", hireflow.KindInvalid},
		{"AmbiguousEncoding", "cv.txt", gbShort(t), "unsupported_encoding", hireflow.KindInvalid},
		{"BrokenUTF8BOM", "cv.txt", []byte("\xef\xbb\xbfGo engineer \xff\xfe with PostgreSQL experience"), "unsupported_encoding", hireflow.KindInvalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, herr := resume.Extract(ctx, tc.data, tc.file)
			require.NotNil(t, herr)
			require.Equal(t, tc.code, herr.Code)
			require.Equal(t, tc.kind, herr.Kind)
			require.Equal(t, "resume", herr.Field)
			require.NotEmpty(t, herr.MessageZH)
		})
	}
}

const latin1Resume = "José Müller-Peña\nSoftware engineer, 6 years of Go and PostgreSQL.\nExperience: Zürich, Málaga. Skills: Kubernetes, Temporal, SQL."

func TestLatin1IsNotMojibake(t *testing.T) {
	text, _, herr := resume.Extract(ctx, latin1(t, latin1Resume), "cv.txt")
	require.Nil(t, herr)
	require.Equal(t, latin1Resume, text)
	require.NotContains(t, text, "黮")
}

func TestExtractZipBombIsBounded(t *testing.T) {
	// 50 MB of one repeated paragraph compresses to a small file; the extractor must not inflate it all.
	para := `<w:p><w:r><w:t>` + strings.Repeat("A", 1000) + `</w:t></w:r></w:p>`
	doc := `<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>` +
		strings.Repeat(para, 50_000) + `</w:body></w:document>`
	data := zipWith("word/document.xml", doc)
	require.Less(t, len(data), 1<<20)
	start := time.Now()
	text, _, herr := resume.Extract(ctx, data, "bomb.docx")
	if herr == nil {
		require.LessOrEqual(t, len([]rune(text)), resume.MaxTextRunes)
	}
	require.Less(t, time.Since(start), 15*time.Second)
}

func TestFacts(t *testing.T) {
	now := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	f := resume.ExtractFacts(strings.Join(demo.StrongBackend("A", "a@example.com").Lines, "\n"), []string{"temporal"}, now)
	require.Equal(t, []string{"docker", "git", "go", "kubernetes", "linux", "postgresql", "sql", "temporal"}, f.Skills)
	require.Equal(t, 7.0, f.Years)
	require.Equal(t, "bachelor", f.Education)
	require.Equal(t, []string{"chinese", "english"}, f.Languages)

	zh := resume.ExtractFacts(strings.Join(demo.ChineseSales("王小明", "w@example.com").Lines, "\n"), []string{"sales"}, now)
	require.Equal(t, 5.0, zh.Years, "explicit 5年…经验 wins over the date range")
	require.Equal(t, "bachelor", zh.Education)
	require.Contains(t, zh.Skills, "sales")
	require.Contains(t, zh.Skills, "customer service")
	require.Contains(t, zh.Languages, "english")

	ranges := resume.ExtractFacts("Acme 2015 - 2018\nBeta 2017 – 2020\nGamma 2022 - present", nil, now)
	require.Equal(t, 9.0, ranges.Years, "overlapping ranges merge: 2015-2020 and 2022-2026")

	require.Empty(t, resume.ExtractFacts("I like going to the gopher park", nil, now).Skills, "go matches whole words only")
}

func latin1(t *testing.T, s string) []byte {
	b, err := charmap.ISO8859_1.NewEncoder().Bytes([]byte(s))
	require.NoError(t, err)
	return b
}

func win1252(t *testing.T, s string) []byte {
	b, err := charmap.Windows1252.NewEncoder().Bytes([]byte(s))
	require.NoError(t, err)
	return b
}

func utf16le(t *testing.T, s string) []byte {
	b, err := xunicode.UTF16(xunicode.LittleEndian, xunicode.UseBOM).NewEncoder().Bytes([]byte(s))
	require.NoError(t, err)
	return b
}

// gbShort is too little GB18030 text for any detector to tell it from EUC-JP or EUC-KR.
func gbShort(t *testing.T) []byte {
	b, err := simplifiedchinese.GB18030.NewEncoder().Bytes([]byte("王小明 销售经理"))
	require.NoError(t, err)
	return b
}

func wordDoc(text string) string {
	return `<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>` +
		text + `</w:t></w:r></w:p></w:body></w:document>`
}

func zipBomb() []byte {
	para := `<w:p><w:r><w:t>` + strings.Repeat("A", 1000) + `</w:t></w:r></w:p>`
	return zipWith("word/document.xml", wordDoc("")+strings.Repeat(para, 30_000))
}

// Any bytes under any name: a coded error, or clean text — never a panic or a hang.
func FuzzExtract(f *testing.F) {
	p := demo.StrongBackend("Fuzz", "f@example.com")
	f.Add(demo.ResumePDF(p.Lines), "cv.pdf")
	f.Add(demo.ResumeDOCX(p.Lines), "cv.docx")
	f.Add([]byte(strings.Join(p.Lines, "\n")), "cv.txt")
	f.Add(latin1Bytes(), "cv.txt")
	f.Add([]byte("%PDF-1.4\n1 0 obj << /Encrypt 2 0 R >> endobj"), "x.pdf")
	f.Add([]byte("PK\x03\x04\x14\x00"), "x.docx")
	f.Add([]byte{0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0}, "x.doc")
	f.Add([]byte("\xff\xfeh\x00i\x00"), "x.txt")
	f.Fuzz(func(t *testing.T, data []byte, name string) {
		text, _, herr := resume.Extract(ctx, data, name)
		if herr != nil {
			if herr.Code == "" || herr.Field != "resume" || herr.MessageZH == "" {
				t.Fatalf("uncoded error: %+v", herr)
			}
			return
		}
		if !utf8.ValidString(text) || strings.ContainsRune(text, 0) || utf8.RuneCountInString(text) > resume.MaxTextRunes {
			t.Fatalf("unclean text from %q", name)
		}
		if _, ok := resume.DisplayName(name, resume.FormatPDF); ok && !utf8.ValidString(name) {
			t.Fatalf("a name that is not UTF-8 was called displayable")
		}
	})
}

func latin1Bytes() []byte {
	b, _ := charmap.ISO8859_1.NewEncoder().Bytes([]byte(latin1Resume))
	return b
}
