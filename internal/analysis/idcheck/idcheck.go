// Package idcheck validates identity and bank numbers typed into the onboarding form.
package idcheck

import (
	"strings"
	"time"
)

var weights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

const checkChars = "10X98765432"

// ChinaResidentID checks an 18-character mainland China resident identity card number
// (GB 11643-1999): 17 digits, a valid birth date, and the ISO 7064 MOD 11-2 check character.
func ChinaResidentID(id string) bool {
	id = strings.ToUpper(strings.TrimSpace(id))
	if len(id) != 18 {
		return false
	}
	sum := 0
	for i := 0; i < 17; i++ {
		c := id[i]
		if c < '0' || c > '9' {
			return false
		}
		sum += int(c-'0') * weights[i]
	}
	if checkChars[sum%11] != id[17] {
		return false
	}
	birth, err := time.Parse("20060102", id[6:14])
	return err == nil && birth.Year() >= 1900 && !birth.After(time.Now())
}

// BankAccount checks a bank card or account number: 12 to 30 digits (spaces allowed) and,
// for 16-19 digit cards, the Luhn check.
func BankAccount(s string) bool {
	digits := strings.ReplaceAll(strings.TrimSpace(s), " ", "")
	if len(digits) < 12 || len(digits) > 30 {
		return false
	}
	for _, c := range digits {
		if c < '0' || c > '9' {
			return false
		}
	}
	if len(digits) < 16 || len(digits) > 19 {
		return true
	}
	sum, double := 0, false
	for i := len(digits) - 1; i >= 0; i-- {
		d := int(digits[i] - '0')
		if double {
			if d *= 2; d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return sum%10 == 0
}
