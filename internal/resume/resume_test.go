package resume_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/hireflow/hireflow"
	"github.com/hireflow/hireflow/internal/demo"
	"github.com/hireflow/hireflow/internal/resume"
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
		{"PDFNamedDocx", "cv.docx", pdf, "unsupported_file_type", hireflow.KindUnsupported},
		{"TruncatedPDF", "cv.pdf", pdf[:len(pdf)/3], "resume_unreadable", hireflow.KindInvalid},
		{"GarbagePDF", "cv.pdf", append([]byte("%PDF-1.7\n"), bytes.Repeat([]byte("garbage "), 50)...), "resume_unreadable", hireflow.KindInvalid},
		{"ZipNotWord", "cv.docx", zipWith("hello.txt", "hi"), "unsupported_file_type", hireflow.KindUnsupported},
		{"CorruptZip", "cv.docx", []byte("PK\x03\x04garbage-garbage-garbage"), "resume_unreadable", hireflow.KindInvalid},
		{"TooShort", "cv.txt", []byte("hi"), "resume_no_text", hireflow.KindInvalid},
		{"ExeNamedTxt", "cv.txt", append([]byte("MZ\x90\x00"), bytes.Repeat([]byte{0}, 200)...), "unsupported_file_type", hireflow.KindUnsupported},
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
