// Composes an outbox mail (a text part and an HTML part, as alternatives) into one RFC 5322 message that the SMTP
// transport sends as it is. nodemailer's composer makes the same message through a chain of streams that cost
// most of a delivery's CPU; this writes the structure directly. Bodies follow nodemailer's choices (7bit when they
// can, else quoted-printable with its encoder for mostly Latin text, else base64); header words are encoded here.
import addressparser from 'nodemailer/lib/addressparser/index.js';
import mimeFuncs from 'nodemailer/lib/mime-funcs/index.js';
import qp from 'nodemailer/lib/qp/index.js';
import type { Envelope } from './smtp-client.js';
import type { OutgoingMail } from './smtp-transport.js';

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
/** Characters a display name may hold without quotes: RFC 5322 atext and spaces. */
const ATEXT_PHRASE = /^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~ ]*$/;

/** 'Q' when Latin letters outnumber other characters, otherwise 'B' (nodemailer's rule for bodies). */
function wordEncoding(value: string): 'Q' | 'B' {
  let other = 0;
  let latin = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if ((c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a)) latin++;
    else if (c >= 0x80 || c <= 0x08 || c === 0x0b || c === 0x0c || (c >= 0x0e && c <= 0x1f)) other++;
  }
  return other < latin ? 'Q' : 'B';
}

/**
 * RFC 2047 encoded words, each holding whole characters (at most 39 bytes of UTF-8, so a word stays within 64
 * characters). nodemailer's own splitting keeps only emoji surrogate pairs together and cuts other characters
 * beyond the Basic Multilingual Plane in two.
 */
function encodedWords(value: string): string {
  const words: string[] = [];
  let word = '';
  let bytes = 0;
  for (const char of value) {
    const size = Buffer.byteLength(char, 'utf8');
    if (bytes + size > 39) {
      words.push(word);
      word = '';
      bytes = 0;
    }
    word += char;
    bytes += size;
  }
  if (word) words.push(word);
  return words.map((w) => `=?UTF-8?B?${Buffer.from(w, 'utf8').toString('base64')}?=`).join(' ');
}

/** A header's text: as it is when printable ASCII that no reader would take for an encoded word, otherwise
 *  encoded words throughout (as nodemailer does: some clients drop the spaces around a lone one). */
function headerText(value: string): string {
  return PRINTABLE_ASCII.test(value) && !value.includes('=?') ? value : encodedWords(value);
}

/** One address header value (`Name <address>` or `address`); undefined when the address itself is not ASCII,
 *  which needs nodemailer's full handling (international domains, SMTPUTF8). */
export function formatAddress(text: string): { header: string; address: string } | undefined {
  const [parsed, ...more] = addressparser(text, { flatten: true });
  if (!parsed || more.length > 0 || !parsed.address || !PRINTABLE_ASCII.test(parsed.address) || /[\s<>]/.test(parsed.address)) return undefined;
  const name = parsed.name.trim();
  if (!name) return { header: parsed.address, address: parsed.address };
  // Not ASCII, or mistakable for an encoded word: encoded words; else as it is, or as a quoted string.
  const phrase =
    !PRINTABLE_ASCII.test(name) || name.includes('=?') ? headerText(name) : ATEXT_PHRASE.test(name) ? name : `"${name.replace(/[\\"]/g, '\\$&')}"`;
  return { header: `${phrase} <${parsed.address}>`, address: parsed.address };
}

/** The sender is the same configured address on every mail: parse it once. */
let lastSender: { text: string; formatted: ReturnType<typeof formatAddress> } | undefined;
function senderAddress(text: string): ReturnType<typeof formatAddress> {
  if (lastSender?.text !== text) lastSender = { text, formatted: formatAddress(text) };
  return lastSender.formatted;
}

/** A text part's transfer encoding and body, lines ending in CRLF. */
function encodePart(content: string): { encoding: string; body: string } {
  const crlf = content.replace(/\r?\n|\r/g, '\r\n');
  const longLines = crlf.split('\r\n').some((line) => line.length > 76);
  if (PRINTABLE_ASCII.test(crlf.replace(/\r\n/g, '')) && !longLines) return { encoding: '7bit', body: crlf };
  if (wordEncoding(content) === 'Q') return { encoding: 'quoted-printable', body: qp.wrap(qp.encode(crlf), 76) };
  return { encoding: 'base64', body: Buffer.from(crlf, 'utf8').toString('base64').replace(/.{76}(?=.)/g, '$&\r\n') };
}

/**
 * The message as sent, with its envelope; undefined when an address needs more than this handles (the transport
 * then lets nodemailer compose it). The boundary's unique part is the mail's own id, a random UUID that nobody
 * sees before the message is made: no content can contain it by chance or design.
 */
export function composeMessage(mail: OutgoingMail, date: Date): { raw: string; envelope: Envelope } | undefined {
  const from = senderAddress(mail.from);
  const to = formatAddress(mail.to);
  if (!from || !to || !/^[A-Za-z0-9-]+$/.test(mail.messageId)) return undefined;
  const boundary = `--_carillon-${mail.messageId}`;
  const text = encodePart(mail.text);
  const html = encodePart(mail.html);
  const headers = [
    `From: ${from.header}`,
    `To: ${to.header}`,
    `Subject: ${headerText(mail.subject)}`,
    `Message-ID: <${mail.messageId}@carillon>`,
    `Date: ${date.toUTCString().replace(/GMT$/, '+0000')}`,
    'MIME-Version: 1.0',
    `Content-Type: multipart/alternative; boundary="${boundary}"`,
  ].map((h) => mimeFuncs.foldLines(h, 76));
  const part = (type: string, p: { encoding: string; body: string }) =>
    `--${boundary}\r\nContent-Type: ${type}; charset=utf-8\r\nContent-Transfer-Encoding: ${p.encoding}\r\n\r\n${p.body}\r\n`;
  const raw = `${headers.join('\r\n')}\r\n\r\n${part('text/plain', text)}${part('text/html', html)}--${boundary}--\r\n`;
  return { raw, envelope: { from: from.address, to: to.address } };
}
