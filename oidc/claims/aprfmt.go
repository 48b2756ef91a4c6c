package claims

import "math"

// 2.4.12.3 formats a real claim with apr_psprintf("%lf"), which is APR's
// own formatter (apr_vformatter, strings/apr_snprintf.c), not glibc's
// printf. Its "%f" converts digit by digit in double arithmetic with an
// 80-digit buffer (apr_cvt/apr_fcvt, conv_fp), so it differs from an exact
// conversion: -0.0 loses its sign, values of 1e74 and above come out as
// truncated digit strings (1e300 becomes 79 zeros without a decimal
// point), and digits far from the decimal point are approximations. This
// file simulates that conversion; the module oracle tests pin it.

const aprNDIG = 80

// aprFcvt simulates apr_fcvt(arg, ndigits): the digit string (a C string
// cut at its first NUL), the decimal point position and the sign.
func aprFcvt(arg float64, ndigits int) (string, int, bool) {
	var buf [aprNDIG]byte
	if ndigits >= aprNDIG-1 {
		ndigits = aprNDIG - 2
	}
	r2, neg := 0, false
	if arg < 0 {
		neg = true
		arg = -arg
	}
	fi, arg := math.Modf(arg)
	p := 0
	if fi != 0 {
		p1 := aprNDIG
		for p1 > 0 && fi != 0 {
			var fj float64
			fi, fj = math.Modf(fi / 10)
			p1--
			buf[p1] = byte(int((fj+.03)*10)) + '0'
			r2++
		}
		for p1 < aprNDIG {
			buf[p] = buf[p1]
			p++
			p1++
		}
	} else if arg > 0 {
		for {
			fj := arg * 10
			if fj >= 1 {
				break
			}
			arg = fj
			r2--
		}
	}
	p1 := ndigits + r2
	if p1 < 0 {
		return "", -ndigits, neg
	}
	decpt := r2
	for p <= p1 && p < aprNDIG {
		arg *= 10
		var fj float64
		fj, arg = math.Modf(arg)
		buf[p] = byte(int(fj)) + '0'
		p++
	}
	if p1 >= aprNDIG {
		buf[aprNDIG-1] = 0
		return cString(buf[:]), decpt, neg
	}
	p = p1
	buf[p1] += 5
	for buf[p1] > '9' {
		buf[p1] = '0'
		if p1 > 0 {
			p1--
			buf[p1]++
		} else {
			buf[p1] = '1'
			decpt++
			if p > 0 {
				buf[p] = '0'
			}
			p++
		}
	}
	if p < aprNDIG {
		buf[p] = 0
	}
	return cString(buf[:]), decpt, neg
}

func cString(b []byte) string {
	for i, c := range b {
		if c == 0 {
			return string(b[:i])
		}
	}
	return string(b)
}

// aprFormatF is apr_psprintf("%lf", f) for a finite f: conv_fp('f') with
// the default precision 6.
func aprFormatF(f float64) string {
	const precision = 6
	digits, decpt, neg := aprFcvt(f, precision)
	var s []byte
	if neg {
		s = append(s, '-')
	}
	if decpt <= 0 {
		s = append(s, '0', '.')
		for ; decpt < 0; decpt++ {
			s = append(s, '0')
		}
		s = append(s, digits...)
		return string(s)
	}
	// conv_fp copies decpt characters; when the digit string is shorter
	// it copies its NUL, which ends the C string there.
	if decpt > len(digits) {
		return string(append(s, digits...))
	}
	s = append(s, digits[:decpt]...)
	s = append(s, '.')
	s = append(s, digits[decpt:]...)
	return string(s)
}
