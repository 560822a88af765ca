package idcheck

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestChinaResidentID(t *testing.T) {
	for id, ok := range map[string]bool{
		"11010519491231002X": true,  // the standard's example
		"11010519491231002x": true,  // lower-case x
		"110105194912310021": false, // wrong check character
		"11010519491331002X": false, // month 13
		"11010521991231002X": false, // born in the future
		"1101051949123100":   false, // too short
		"A1010519491231002X": false,
		"":                   false,
	} {
		require.Equal(t, ok, ChinaResidentID(id), id)
	}
}

func TestBankAccount(t *testing.T) {
	require.True(t, BankAccount("6222 0202 0000 0000 006")) // 19 digits, Luhn
	require.True(t, BankAccount("4111111111111111"))        // Luhn
	require.False(t, BankAccount("4111111111111112"))       // Luhn fails
	require.True(t, BankAccount("123456789012"))            // an account number, no Luhn
	require.False(t, BankAccount("12345"))
	require.False(t, BankAccount("4111-1111-1111-1111"))
}
