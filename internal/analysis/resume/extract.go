// Package resume turns an uploaded résumé (PDF, DOCX or plain text) into text, refusing broken
// and hostile files with coded errors, and extracts the non-personal facts screening uses.
package resume

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/xml"
	"io"
	"runtime"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/ledongthuc/pdf"
	"github.com/saintfish/chardet"
	"golang.org/x/text/encoding/htmlindex"
	xunicode "golang.org/x/text/encoding/unicode"

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

func errEncrypted(format Format) *hireflow.Error {
	if format == FormatPDF {
		return hireflow.Errorf(hireflow.KindInvalid, "encrypted_document", "resume",
			"the PDF is protected with a password; save it without a password (or print it to a new PDF) and upload it again").
			ZH("PDF 设置了密码保护，请另存为无密码的 PDF（或打印为新的 PDF）后重新上传")
	}
	return hireflow.Errorf(hireflow.KindInvalid, "encrypted_document", "resume",
		"the Word document is protected with a password; save a copy without a password and upload it again").
		ZH("Word 文档设置了密码保护，请另存一份无密码的副本后重新上传")
}

func errTooLarge(format Format) *hireflow.Error {
	return hireflow.Errorf(hireflow.KindInvalid, "document_too_large", "resume",
		"the %s file unpacks to far more text than a résumé holds; save it again without embedded content and retry", strings.ToUpper(string(format))).
		ZH("%s 文件解压后内容远超简历应有的大小，请去掉嵌入内容后重新保存再上传", strings.ToUpper(string(format)))
}

func errActive(format Format, what string) *hireflow.Error {
	return hireflow.Errorf(hireflow.KindInvalid, "active_content", "resume",
		"the %s file contains %s, which we do not open; save it as a plain document (or print it to PDF) and upload it again", strings.ToUpper(string(format)), what).
		ZH("%s 文件包含可执行内容（%s），我们不会打开；请另存为普通文档（或打印为 PDF）后重新上传", strings.ToUpper(string(format)), what)
}

func errEncoding() *hireflow.Error {
	return hireflow.Errorf(hireflow.KindInvalid, "unsupported_encoding", "resume",
		"we could not tell which character encoding the text file uses; save it as UTF-8 (or upload a PDF or DOCX) and retry").
		ZH("无法识别文本文件的字符编码，请另存为 UTF-8 编码（或上传 PDF、DOCX）后重试")
}

// cfbMagic starts an OLE compound file: an old .doc, or an OOXML file encrypted by Office.
var cfbMagic = []byte{0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1}

// utf16 "EncryptedPackage", the stream an encrypted OOXML compound file holds.
var encryptedPackage = []byte("E\x00n\x00c\x00r\x00y\x00p\x00t\x00e\x00d\x00P\x00a\x00c\x00k\x00a\x00g\x00e\x00")

// Sniff decides the format from the bytes alone. The file name is only a label for display:
// a valid PDF named "resume.pdf " or "cv.pdf.exe" is still a PDF.
func Sniff(data []byte, _ string) (Format, *hireflow.Error) {
	if len(data) == 0 {
		return "", hireflow.Errorf(hireflow.KindInvalid, "file_empty", "resume", "the résumé file is empty").
			ZH("简历文件为空")
	}
	switch {
	case bytes.HasPrefix(data, []byte("%PDF-")):
		return FormatPDF, nil
	case bytes.HasPrefix(data, []byte("PK\x03\x04")):
		return FormatDOCX, nil
	case bytes.HasPrefix(data, cfbMagic):
		if bytes.Contains(data, encryptedPackage) {
			return FormatDOCX, errEncrypted(FormatDOCX)
		}
		return "", errUnsupported("the file is an old Word (.doc) or other Office binary file")
	case bytes.HasPrefix(data, []byte("\xff\xfe")) || bytes.HasPrefix(data, []byte("\xfe\xff")):
		return FormatTXT, nil // UTF-16 with a byte-order mark
	case looksLikeText(data):
		return FormatTXT, nil
	}
	return "", errUnsupported("the file is not a PDF, DOCX or text file")
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

// pdfActive are the name objects of PDF features that run code or open other programs.
var pdfActive = [][]byte{[]byte("/JavaScript"), []byte("/Launch")}

func pdfText(data []byte) (string, *hireflow.Error) {
	for _, k := range pdfActive {
		if bytes.Contains(data, k) {
			return "", errActive(FormatPDF, "scripts or launch actions")
		}
	}
	t, herr := pdfPages(data)
	if herr != nil && herr.Code == "resume_unreadable" && bytes.Contains(data, []byte("/Encrypt")) {
		// Readable with the empty password is fine; anything else needs the candidate's password.
		return "", errEncrypted(FormatPDF)
	}
	return t, herr
}

func pdfPages(data []byte) (string, *hireflow.Error) {
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
		switch name := strings.ToLower(f.Name); {
		case name == "word/document.xml":
			doc = f
		case strings.HasSuffix(name, "vbaproject.bin") || strings.HasSuffix(name, "vbadata.xml"):
			return "", errActive(FormatDOCX, "macros")
		case strings.HasPrefix(name, "word/activex/"):
			return "", errActive(FormatDOCX, "ActiveX controls")
		}
	}
	if doc == nil {
		return "", errUnsupported("the ZIP file is not a Word document")
	}
	if doc.UncompressedSize64 > maxDocXMLBytes {
		return "", errTooLarge(FormatDOCX)
	}
	rc, err := doc.Open()
	if err != nil {
		return "", errUnreadable(FormatDOCX)
	}
	defer rc.Close()
	// The size in the ZIP header can lie: read one byte past the limit to tell.
	lr := &io.LimitedReader{R: rc, N: maxDocXMLBytes + 1}
	dec := xml.NewDecoder(lr)
	var b strings.Builder
	inText := false
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if lr.N <= 0 {
			return "", errTooLarge(FormatDOCX)
		}
		if err != nil {
			return "", errUnreadable(FormatDOCX)
		}
		switch t := tok.(type) {
		case xml.Directive:
			// A DTD can declare entities (XXE, billion laughs); Word never writes one.
			if bytes.Contains(bytes.ToUpper(t), []byte("DOCTYPE")) || bytes.Contains(bytes.ToUpper(t), []byte("ENTITY")) {
				return "", errActive(FormatDOCX, "a document type declaration")
			}
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

// plainText decodes a text file: a byte-order mark decides, then valid UTF-8; otherwise a
// statistical detector must name one encoding clearly ahead of the others, and the decoded text
// must be clean. A guess that is not clear is refused rather than stored as mojibake.
func plainText(data []byte) (string, *hireflow.Error) {
	switch {
	case bytes.HasPrefix(data, []byte("\xef\xbb\xbf")):
		data = data[3:]
		if !utf8.Valid(data) {
			return "", errEncoding()
		}
		return string(data), nil
	case bytes.HasPrefix(data, []byte("\xff\xfe")), bytes.HasPrefix(data, []byte("\xfe\xff")):
		out, err := xunicode.UTF16(xunicode.LittleEndian, xunicode.UseBOM).NewDecoder().Bytes(data)
		if err != nil || !cleanText(out) {
			return "", errEncoding()
		}
		return string(out), nil
	case utf8.Valid(data):
		return string(data), nil
	}
	results, err := chardet.NewTextDetector().DetectAll(data)
	if err != nil || len(results) == 0 {
		return "", errEncoding()
	}
	top := results[0]
	if top.Confidence < minEncodingConfidence || (len(results) > 1 && top.Confidence-results[1].Confidence < max(10, top.Confidence/3)) {
		return "", errEncoding()
	}
	enc, err := htmlindex.Get(strings.ReplaceAll(strings.ToLower(top.Charset), "gb-18030", "gb18030"))
	if err != nil {
		return "", errEncoding()
	}
	out, err := enc.NewDecoder().Bytes(data)
	if err != nil || !cleanText(out) {
		return "", errEncoding()
	}
	return string(out), nil
}

// minEncodingConfidence is the detector's score (0–100) below which a guess is refused; the
// runner-up must also trail it by a third of it (and at least 10).
const minEncodingConfidence = 20

// cleanText is valid UTF-8 with no replacement characters and few control characters.
func cleanText(b []byte) bool {
	if !utf8.Valid(b) || bytes.Contains(b, []byte("\uFFFD")) {
		return false
	}
	ctrl := 0
	for _, r := range string(b) {
		if r == 0 || (unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t' && r != '\f') {
			ctrl++
		}
	}
	return ctrl*100 <= len(b)
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

// DisplayName makes an uploaded file name safe to show: the base name only, without control,
// bidirectional-override or zero-width characters, trimmed and at most 100 characters. It
// reports false for a name that cannot be shown at all (not UTF-8). The name never decides the
// file's type.
func DisplayName(name string, f Format) (string, bool) {
	if !utf8.ValidString(name) {
		return "", false
	}
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	var b strings.Builder
	n := 0
	for _, r := range name {
		switch {
		case unicode.IsControl(r), unicode.Is(unicode.Bidi_Control, r), r == '\u200b', r == '\u200c', r == '\u200d', r == '\u2060', r == '\ufeff':
			continue
		}
		if n++; n > 100 {
			break
		}
		b.WriteRune(r)
	}
	out := strings.TrimSpace(b.String())
	if strings.Trim(out, ".") == "" {
		out = "resume." + string(f)
	}
	return out, true
}
