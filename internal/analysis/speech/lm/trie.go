package lm

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"os"
)

// Trie is a trigram model read from sphinxbase's binary trie format (the en-us.lm.bin pocketsphinx
// ships): words, and log10 probabilities and backoff weights. Bigrams of unigram w are
// Bi[Uni[w].Next:Uni[w+1].Next]; trigrams of bigram i are Tri[Bi[i].Next:Bi[i+1].Next].
type Trie struct {
	Words []string
	Uni   []TrieEntry // len(Words)+1: the last holds only Next
	Bi    []TrieEntry // the last holds only Next
	Tri   []TrieEntry
}

// TrieEntry is one n-gram: its last word's index, log10 probability and backoff, and where its
// extensions begin.
type TrieEntry struct {
	Word uint32
	P, B float32
	Next uint32
}

const trieHeader = "Trie Language Model"

// ReadTrie reads a trigram trie model: the header and counts, the quantisation tables (16-bit
// probabilities and backoffs), the unquantised unigrams, the bit-packed bigrams and trigrams
// and the words.
func ReadTrie(path string) (*Trie, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	bad := func(what string) error { return fmt.Errorf("lm: %s is not a trigram trie model: %s", path, what) }
	if !bytes.HasPrefix(b, []byte(trieHeader)) || len(b) < len(trieHeader)+1+12+4 {
		return nil, bad("no header")
	}
	off := len(trieHeader)
	if b[off] != 3 {
		return nil, bad(fmt.Sprintf("order %d", b[off]))
	}
	off++
	n1, n2, n3 := binary.LittleEndian.Uint32(b[off:]), binary.LittleEndian.Uint32(b[off+4:]), binary.LittleEndian.Uint32(b[off+8:])
	off += 12 + 4 // counts, then an int the format once used for the quantisation type
	const bins = 1 << 16
	table := func(at int) ([]float32, error) {
		if at+4*bins > len(b) {
			return nil, bad("short quantisation tables")
		}
		t := make([]float32, bins)
		for i := range t {
			t[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[at+4*i:]))
		}
		return t, nil
	}
	biP, err := table(off)
	if err != nil {
		return nil, err
	}
	biB, err := table(off + 4*bins)
	if err != nil {
		return nil, err
	}
	triP, err := table(off + 8*bins)
	if err != nil {
		return nil, err
	}
	off += 12 * bins
	t := &Trie{Uni: make([]TrieEntry, n1+1)}
	if off+12*int(n1+1) > len(b) {
		return nil, bad("short unigrams")
	}
	for i := range t.Uni {
		at := off + 12*i
		t.Uni[i] = TrieEntry{Word: uint32(i), P: math.Float32frombits(binary.LittleEndian.Uint32(b[at:])),
			B: math.Float32frombits(binary.LittleEndian.Uint32(b[at+4:])), Next: binary.LittleEndian.Uint32(b[at+8:])}
	}
	off += 12 * int(n1+1)
	wordBits, nextBits := requiredBits(n1), requiredBits(n3)
	midTotal := wordBits + 32 + nextBits
	midSize := (int(1+n2)*midTotal+7)/8 + 8
	longTotal := wordBits + 16
	longSize := (int(1+n3)*longTotal+7)/8 + 8
	if off+midSize+longSize+4 > len(b) {
		return nil, bad("short n-grams")
	}
	mid, long := b[off:off+midSize], b[off+midSize:off+midSize+longSize]
	read := func(mem []byte, bit, length int) uint32 {
		v := binary.LittleEndian.Uint64(mem[bit>>3:])
		return uint32((v >> (bit & 7)) & (1<<length - 1))
	}
	t.Bi = make([]TrieEntry, n2+1)
	for i := range t.Bi {
		at := i * midTotal
		t.Bi[i] = TrieEntry{Word: read(mid, at, wordBits), B: biB[read(mid, at+wordBits, 16)], P: biP[read(mid, at+wordBits+16, 16)],
			Next: read(mid, at+wordBits+32, nextBits)}
	}
	t.Tri = make([]TrieEntry, n3)
	for i := range t.Tri {
		at := i * longTotal
		t.Tri[i] = TrieEntry{Word: read(long, at, wordBits), P: triP[read(long, at+wordBits, 16)]}
	}
	off += midSize + longSize
	k := int(int32(binary.LittleEndian.Uint32(b[off:])))
	off += 4
	if k < 0 || off+k > len(b) {
		return nil, bad("short words")
	}
	words := bytes.Split(b[off:off+k], []byte{0})
	if len(words) < int(n1) {
		return nil, bad("too few words")
	}
	t.Words = make([]string, n1)
	for i := range t.Words {
		t.Words[i] = string(words[i])
	}
	// Every range must stay inside its array.
	if t.Uni[n1].Next > n2 || t.Bi[n2].Next > n3 {
		return nil, errors.New("lm: the trie's ranges run past its n-grams")
	}
	return t, nil
}

func requiredBits(max uint32) int {
	if max == 0 {
		return 0
	}
	n := 1
	for max >>= 1; max > 0; max >>= 1 {
		n++
	}
	return n
}
