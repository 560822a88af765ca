package resume_test

import (
	"archive/zip"
	"bytes"
)

func zipWith(name, body string) []byte {
	var b bytes.Buffer
	z := zip.NewWriter(&b)
	w, _ := z.Create(name)
	_, _ = w.Write([]byte(body))
	_ = z.Close()
	return b.Bytes()
}

func zipFiles(files map[string]string) []byte {
	var b bytes.Buffer
	z := zip.NewWriter(&b)
	for name, body := range files {
		w, _ := z.Create(name)
		_, _ = w.Write([]byte(body))
	}
	_ = z.Close()
	return b.Bytes()
}
