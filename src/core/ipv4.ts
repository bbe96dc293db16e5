// Pure IPv4 addresses and CIDR ranges (dotted quads only): the VPN ranges roles and env checks compare.

/** An IPv4 range: its text as written, first address and size, as unsigned numbers. */
export interface Cidr {
  readonly text: string;
  readonly start: number;
  readonly size: number;
}

/** The four octets as one unsigned number, or undefined when `s` is not a dotted-quad IPv4 address. */
export function parseIpv4(s: string): number | undefined {
  const parts = s.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^(0|[1-9]\d{0,2})$/.test(p) && Number(p) <= 255)) return undefined;
  return parts.reduce((n, p) => n * 256 + Number(p), 0);
}

/** `100.64.0.0/10` as a range (host bits ignored, as routers do), or undefined when it is not one. */
export function parseCidr(text: string): Cidr | undefined {
  const [addr, bits, ...rest] = text.split('/');
  const base = addr === undefined ? undefined : parseIpv4(addr);
  if (base === undefined || rest.length > 0 || !/^\d{1,2}$/.test(bits ?? '') || Number(bits) > 32) return undefined;
  const size = 2 ** (32 - Number(bits));
  return { text, start: base - (base % size), size };
}

/** Whether address `ip` (a parseIpv4 number) is in `range`. */
export function cidrHas(range: Cidr, ip: number): boolean {
  return ip >= range.start && ip < range.start + range.size;
}

/** Whether every address of `inner` is in `outer`. */
export function cidrCovers(outer: Cidr, inner: Cidr): boolean {
  return inner.start >= outer.start && inner.start + inner.size <= outer.start + outer.size;
}
