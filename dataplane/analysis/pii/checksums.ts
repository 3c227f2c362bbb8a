// Number validators that turn digit runs into findings: Luhn with card-network prefix/length rules, and
// the US SSN ranges the SSA never issues. Keeping them strict is what keeps card/SSN precision high.

/** Luhn (mod 10) over a string of ASCII digits. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return digits.length > 0 && sum % 10 === 0;
}

function prefixIn(digits: string, length: number, low: number, high: number): boolean {
  const value = Number(digits.slice(0, length));
  return value >= low && value <= high;
}

/**
 * Whether the issuer prefix (IIN) and length belong to a card network: Visa 13/16/19; Mastercard 51-55 and
 * 2221-2720 (16); Amex 34/37 (15); Diners 30/36/38/39 (14-19); JCB 35 (16-19) and 2131/1800 (15); UATP 1
 * (15); Mir 2200-2204, Discover/UnionPay/Maestro/RuPay 5x-6x, 81/82 (12-19); Troy 9792 (16). Numbers of
 * other shapes are order ids, phone numbers or timestamps far more often than cards.
 */
export function plausibleCardPrefix(digits: string): boolean {
  const n = digits.length;
  if (n < 12 || n > 19) return false;
  switch (digits[0]) {
    case '1':
      return n === 15;
    case '2':
      if (digits.startsWith('2131')) return n === 15;
      if (prefixIn(digits, 4, 2200, 2204)) return n >= 16;
      return prefixIn(digits, 4, 2221, 2720) && n === 16;
    case '3': {
      const two = digits.slice(0, 2);
      if (two === '34' || two === '37') return n === 15;
      if (two === '30' || two === '36' || two === '38' || two === '39') return n >= 14;
      return two === '35' && n >= 16;
    }
    case '4':
      return n === 13 || n === 16 || n === 19;
    case '5':
      if (prefixIn(digits, 2, 51, 55)) return n === 16;
      return true;
    case '6':
      return true;
    case '8':
      return (digits.startsWith('81') || digits.startsWith('82')) && n >= 16;
    case '9':
      return digits.startsWith('9792') && n === 16;
    default:
      return false;
  }
}

/** A complete card check on a number with separators already removed. */
export function validCardNumber(digits: string): boolean {
  return /^\d{12,19}$/.test(digits) && plausibleCardPrefix(digits) && luhnValid(digits);
}

/**
 * US SSN structure: area 001-899 except 666, group 01-99, serial 0001-9999 (the SSA never issues the
 * others); runs of one repeated digit are test data, not numbers.
 */
export function validSsn(area: string, group: string, serial: string): boolean {
  const a = Number(area);
  if (a === 0 || a === 666 || a >= 900) return false;
  if (group === '00' || serial === '0000') return false;
  return !/^(\d)\1*$/.test(area + group + serial);
}
