// The x509 scheme's id of a TLS client: its certificate's subject as Java's
// X500Principal.getName() prints it (RFC 2253), which is what ZooKeeper's
// X509AuthenticationProvider gives a connection: RDNs last to first, joined by ",", the
// attributes of one RDN by "+", the RFC 2253 keywords (CN, C, L, ST, O, OU, STREET, DC, UID) by
// name and every other attribute as its OID with the DER value in hex (`1.2.840.113549.1.9.1=#16...`),
// string values escaped as Java escapes them. Read from the certificate's DER, since Node's
// parsed subject loses the order and the string types.

import type { Id } from "@paddock/jute";

/** RFC 2253's keywords, as Java's AVAKeyword table marks them. */
const KEYWORDS: ReadonlyMap<string, string> = new Map([
  ["2.5.4.3", "CN"],
  ["2.5.4.6", "C"],
  ["2.5.4.7", "L"],
  ["2.5.4.8", "ST"],
  ["2.5.4.10", "O"],
  ["2.5.4.11", "OU"],
  ["2.5.4.9", "STREET"],
  ["0.9.2342.19200300.100.1.25", "DC"],
  ["0.9.2342.19200300.100.1.1", "UID"],
]);

/** DER string types Java prints as text: UTF8, Printable, T61, IA5, General, Universal, BMP. */
const STRING_TAGS = new Set([0x0c, 0x13, 0x14, 0x16, 0x1b, 0x1c, 0x1e]);
const ESCAPED = ',=+<>#;"\\';

interface Tlv {
  tag: number;
  /** The whole element, header included. */
  start: number;
  valueStart: number;
  end: number;
}

function readTlv(der: Uint8Array, at: number, limit: number): Tlv {
  if (at + 2 > limit) throw new Error("truncated DER");
  const tag = der[at]!;
  let len = der[at + 1]!;
  let p = at + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4 || p + n > limit) throw new Error("bad DER length");
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + der[p++]!;
  }
  if (p + len > limit) throw new Error("DER element past its parent");
  return { tag, start: at, valueStart: p, end: p + len };
}

function children(der: Uint8Array, parent: Tlv): Tlv[] {
  const out: Tlv[] = [];
  for (let p = parent.valueStart; p < parent.end; ) {
    const t = readTlv(der, p, parent.end);
    out.push(t);
    p = t.end;
  }
  return out;
}

function decodeOid(bytes: Uint8Array): string {
  const parts: number[] = [];
  let v = 0;
  for (const b of bytes) {
    v = v * 128 + (b & 0x7f);
    if ((b & 0x80) === 0) {
      if (parts.length === 0) parts.push(v < 80 ? Math.floor(v / 40) : 2, v < 80 ? v % 40 : v - 80);
      else parts.push(v);
      v = 0;
    }
  }
  return parts.join(".");
}

function decodeString(tag: number, bytes: Uint8Array): string {
  const buf = Buffer.from(bytes);
  if (tag === 0x1e) return buf.swap16().toString("utf16le"); // BMPString: UTF-16BE
  if (tag === 0x1c) {
    let s = ""; // UniversalString: UTF-32BE
    for (let i = 0; i + 3 < buf.length; i += 4) s += String.fromCodePoint(buf.readUInt32BE(i));
    return s;
  }
  if (tag === 0x14) return buf.toString("latin1"); // T61String, as Java reads it
  return buf.toString("utf8");
}

/** Java's AVA.toRFC2253String escaping of a string value. */
function escapeValue(value: string): string {
  let s = "";
  for (const c of value) {
    if (ESCAPED.includes(c)) s += `\\${c}`;
    else if (c === "\u0000") s += "\\00";
    else s += c;
  }
  // Leading and trailing spaces (and CRs) are escaped one by one.
  const chars = [...s];
  let lead = 0;
  while (lead < chars.length && (chars[lead] === " " || chars[lead] === "\r")) lead++;
  let trail = chars.length - 1;
  while (trail >= 0 && (chars[trail] === " " || chars[trail] === "\r")) trail--;
  return chars.map((c, i) => (i < lead || i > trail ? `\\${c}` : c)).join("");
}

/** The subject of a DER certificate in RFC 2253 form, as Java's X500Principal.getName(). */
export function subjectRfc2253(certDer: Uint8Array): string {
  const cert = readTlv(certDer, 0, certDer.length);
  const tbs = children(certDer, cert)[0];
  if (tbs === undefined) throw new Error("certificate without tbsCertificate");
  const fields = children(certDer, tbs);
  // An explicit [0] version comes first when present; then serial, signature, issuer, validity.
  const subject = fields[fields[0]?.tag === 0xa0 ? 5 : 4];
  if (subject === undefined || subject.tag !== 0x30) throw new Error("certificate without a subject");
  const rdns = children(certDer, subject).map((set) =>
    children(certDer, set)
      .map((atv) => {
        const [type, value] = children(certDer, atv);
        if (type === undefined || value === undefined) throw new Error("bad attribute");
        const oid = decodeOid(certDer.subarray(type.valueStart, type.end));
        const keyword = KEYWORDS.get(oid);
        if (keyword === undefined || !STRING_TAGS.has(value.tag)) {
          return `${keyword ?? oid}=#${Buffer.from(certDer.subarray(value.start, value.end)).toString("hex")}`;
        }
        return `${keyword}=${escapeValue(decodeString(value.tag, certDer.subarray(value.valueStart, value.end)))}`;
      })
      .join("+"),
  );
  return rdns.reverse().join(",");
}

/**
 * The identities ZooKeeper's X509AuthenticationProvider gives a connection with a verified
 * certificate: x509:<subject>, and super when the subject is the configured super user.
 */
export function x509Identities(certDer: Uint8Array, superUser: string | undefined): Id[] {
  const id = subjectRfc2253(certDer);
  return [...(id === superUser ? [{ scheme: "super", id }] : []), { scheme: "x509", id }];
}
