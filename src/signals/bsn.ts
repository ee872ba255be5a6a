/**
 * The elfproef (eleven test) of a Dutch citizen service number: the digits
 * weighted 9, 8, …, 2 and the last one −1 must sum to a multiple of 11.
 * Passing it does not prove the number was ever issued, only that it is not
 * an obvious typo.
 */
export function isValidBsn(bsn: string): boolean {
  if (bsn.length !== 9) return false;
  let sum = 0;
  let nonZero = false;
  for (let i = 0; i < 9; i++) {
    const digit = bsn.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return false;
    if (digit !== 0) nonZero = true;
    sum += i === 8 ? -digit : (9 - i) * digit;
  }
  // 000000000 passes the arithmetic but is the classic placeholder for "unknown".
  return nonZero && sum % 11 === 0;
}
