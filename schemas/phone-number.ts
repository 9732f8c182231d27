// Vietnamese mobile numbers, as registers and carriers write them (0912 345 678, 84912345678,
// +84 912.345.678), in the one form the store keeps: +84 and 9 digits (common.schema.json#phoneNumber).
const NATIONAL_MOBILE = /^(?:0|\+?84)([35789][0-9]{8})$/;

/** The number in +84 form, or null when it is no Vietnamese mobile number. */
export function internationalMobile(text: string): string | null {
  const m = NATIONAL_MOBILE.exec(text.replace(/[\s.()-]/g, ''));
  return m ? `+84${m[1]}` : null;
}
