// Package resume turns an uploaded résumé (PDF, DOCX or plain text) into text, refusing broken
// and hostile files with coded errors, and extracts the non-personal facts screening uses.
package resume

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"path/filepath"
	"runtime"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/ledongthuc/pdf"
	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/hireflow/hireflow"
)

// Format is a résumé file type we accept.
type Format string

const (
	FormatPDF  Format = "pdf"
	FormatDOCX Format = "docx"
	FormatTXT  Format = "txt"
)

// ContentType is the MIME type stored for the format.
func (f Format) ContentType() string {
	switch f {
	case FormatPDF:
		return "application/pdf"
	case FormatDOCX:
		return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
	}
	return "text/plain; charset=utf-8"
}

// Limits against hostile files.
const (
	MaxTextRunes     = 200_000
	maxPDFPages      = 60
	maxDocXMLBytes   = 20 << 20
	extractTimeout   = 10 * time.Second
	minMeaningfulLen = 20
)

func errUnsupported(msg string) *hireflow.Error {
	return hireflow.Errorf(hireflow.KindUnsupported, "unsupported_file_type", "resume",
		"%s: upload a PDF, DOCX or TXT résumé", msg).ZH("不支持的文件类型：请上传 PDF、DOCX 或 TXT 格式的简历")
}

func errUnreadable(format Format) *hireflow.Error {
	return hireflow.Errorf(hireflow.KindInvalid, "resume_unreadable", "resume",
		"the %s file is damaged or could not be read; export it again and retry", strings.ToUpper(string(format))).
		ZH("%s 文件已损坏或无法读取，请重新导出后再上传", strings.ToUpper(string(format)))
}

// Sniff decides the format from the bytes and checks that the file name agrees.
func Sniff(data []byte, filename string) (Format, *hireflow.Error) {
	if len(data) == 0 {
		return "", hireflow.Errorf(hireflow.KindInvalid, "file_empty", "resume", "the résumé file is empty").
			ZH("简历文件为空")
	}
	var f Format
	switch {
	case bytes.HasPrefix(data, []byte("%PDF-")):
		f = FormatPDF
	case bytes.HasPrefix(data, []byte("PK\x03\x04")):
		f = FormatDOCX
	case looksLikeText(data):
		f = FormatTXT
	default:
		return "", errUnsupported("the file is not a PDF, DOCX or text file")
	}
	ext := strings.ToLower(strings.TrimPrefix(filepath.Ext(filename), "."))
	switch {
	case ext == "" || ext == string(f):
	case f == FormatTXT && (ext == "text" || ext == "md"):
	default:
		return "", errUnsupported(fmt.Sprintf("the file is named .%s but its content is %s", ext, strings.ToUpper(string(f))))
	}
	return f, nil
}

func looksLikeText(data []byte) bool {
	sample := data
	if len(sample) > 8192 {
		sample = sample[:8192]
	}
	if bytes.IndexByte(sample, 0) >= 0 {
		return false
	}
	ctrl := 0
	for _, c := range sample {
		if c < 0x09 || (c > 0x0d && c < 0x20) {
			ctrl++
		}
	}
	return ctrl*100 < len(sample)
}

var parsers = make(chan struct{}, 2*runtime.NumCPU())

// Extract returns the text of a résumé, or a coded error that says what is wrong with the file.
func Extract(ctx context.Context, data []byte, filename string) (string, Format, *hireflow.Error) {
	f, herr := Sniff(data, filename)
	if herr != nil {
		return "", "", herr
	}
	ctx, cancel := context.WithTimeout(ctx, extractTimeout)
	defer cancel()
	// A hostile file may keep a parser busy past the timeout; the slot stays taken until it
	// finishes, so such files can tie up at most this many cores' worth of parsers.
	select {
	case parsers <- struct{}{}:
	case <-ctx.Done():
		return "", f, hireflow.Errorf(hireflow.KindUnavailable, "resume_busy", "resume",
			"too many résumés are being read right now; retry in a minute").ZH("当前处理的简历过多，请一分钟后重试")
	}
	type result struct {
		text string
		err  *hireflow.Error
	}
	done := make(chan result, 1)
	// Parsers of hostile files may panic or spin: isolate them and bound their time.
	go func() {
		defer func() { <-parsers }()
		defer func() {
			if r := recover(); r != nil {
				done <- result{err: errUnreadable(f)}
			}
		}()
		var t string
		var err *hireflow.Error
		switch f {
		case FormatPDF:
			t, err = pdfText(data)
		case FormatDOCX:
			t, err = docxText(data)
		default:
			t, err = plainText(data)
		}
		done <- result{t, err}
	}()
	var r result
	select {
	case r = <-done:
	case <-ctx.Done():
		return "", f, errUnreadable(f)
	}
	if r.err != nil {
		return "", f, r.err
	}
	text := normalise(r.text)
	if utf8.RuneCountInString(strings.Join(strings.Fields(text), "")) < minMeaningfulLen {
		return "", f, hireflow.Errorf(hireflow.KindInvalid, "resume_no_text", "resume",
			"no text could be read from the résumé (a scanned image?): upload a file with selectable text").
			ZH("无法从简历中读取文字（可能是扫描图片），请上传含可选中文字的文件")
	}
	return text, f, nil
}

func pdfText(data []byte) (string, *hireflow.Error) {
	r, err := pdf.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return "", errUnreadable(FormatPDF)
	}
	n := r.NumPage()
	if n == 0 {
		return "", errUnreadable(FormatPDF)
	}
	if n > maxPDFPages {
		return "", hireflow.Errorf(hireflow.KindInvalid, "resume_too_many_pages", "resume",
			"the résumé has %d pages; at most %d are accepted", n, maxPDFPages).ZH("简历页数过多（%d 页），最多 %d 页", n, maxPDFPages)
	}
	var b strings.Builder
	for i := 1; i <= n; i++ {
		p := r.Page(i)
		if p.V.IsNull() {
			continue
		}
		rows, err := p.GetTextByRow()
		if err != nil {
			return "", errUnreadable(FormatPDF)
		}
		for _, row := range rows {
			for j, w := range row.Content {
				if j > 0 {
					b.WriteByte(' ')
				}
				b.WriteString(w.S)
			}
			b.WriteByte('\n')
			if b.Len() > MaxTextRunes*4 {
				return b.String(), nil
			}
		}
	}
	return b.String(), nil
}

func docxText(data []byte) (string, *hireflow.Error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return "", errUnreadable(FormatDOCX)
	}
	var doc *zip.File
	for _, f := range zr.File {
		if f.Name == "word/document.xml" {
			doc = f
		}
	}
	if doc == nil {
		return "", errUnsupported("the ZIP file is not a Word document")
	}
	if doc.UncompressedSize64 > maxDocXMLBytes {
		return "", errUnreadable(FormatDOCX)
	}
	rc, err := doc.Open()
	if err != nil {
		return "", errUnreadable(FormatDOCX)
	}
	defer rc.Close()
	dec := xml.NewDecoder(io.LimitReader(rc, maxDocXMLBytes))
	var b strings.Builder
	inText := false
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return "", errUnreadable(FormatDOCX)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "t":
				inText = true
			case "tab":
				b.WriteByte('\t')
			case "br":
				b.WriteByte('\n')
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "t":
				inText = false
			case "p":
				b.WriteByte('\n')
			}
		case xml.CharData:
			if inText {
				b.Write(t)
			}
		}
		if b.Len() > MaxTextRunes*4 {
			break
		}
	}
	return b.String(), nil
}

func plainText(data []byte) (string, *hireflow.Error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if utf8.Valid(data) {
		return string(data), nil
	}
	// Chinese résumés saved by older editors are often GB18030/GBK.
	out, err := simplifiedchinese.GB18030.NewDecoder().Bytes(data)
	if err != nil || !utf8.Valid(out) {
		return "", errUnreadable(FormatTXT)
	}
	return string(out), nil
}

// normalise drops control characters, folds runs of blank lines and caps the length.
func normalise(s string) string {
	var b strings.Builder
	n := 0
	for _, r := range s {
		if r == utf8.RuneError || (unicode.IsControl(r) && r != '\n' && r != '\t') {
			continue
		}
		b.WriteRune(r)
		if n++; n >= MaxTextRunes {
			break
		}
	}
	lines := strings.Split(b.String(), "\n")
	out := lines[:0]
	blank := 0
	for _, l := range lines {
		l = strings.TrimRightFunc(l, unicode.IsSpace)
		if l == "" {
			if blank++; blank > 1 {
				continue
			}
		} else {
			blank = 0
		}
		out = append(out, l)
	}
	return strings.TrimSpace(strings.Join(out, "\n"))
}
