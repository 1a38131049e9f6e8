// A real SMTP server (npm smtp-server) that receives and parses mail for the tests.
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export type SmtpSink = {
  url: string;
  port: number;
  messages: ParsedMail[];
  /** Messages accepted so far (parsed or not). */
  received: () => number;
  /** Resolves with the first message matching `predicate`, waiting up to `timeoutMs`. */
  waitFor: (predicate: (m: ParsedMail) => boolean, timeoutMs?: number) => Promise<ParsedMail>;
  stop: () => Promise<void>;
};

/** Starts the sink; with `port` it binds that port (to bring a "down" SMTP server back on the same address). */
export async function startSmtpSink(options: { port?: number; rejectRecipients?: RegExp; parse?: boolean } = {}): Promise<SmtpSink> {
  const messages: ParsedMail[] = [];
  let received = 0;
  const waiters: Array<() => void> = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(address, _session, cb) {
      if (options.rejectRecipients?.test(address.address)) {
        const err = new Error('mailbox unavailable') as Error & { responseCode: number };
        err.responseCode = 550;
        cb(err);
        return;
      }
      cb();
    },
    onData(stream, _session, cb) {
      if (options.parse === false) {
        // Counting only (benchmarks): drain the message without parsing it.
        stream.on('end', () => {
          received++;
          cb();
        });
        stream.resume();
        return;
      }
      simpleParser(stream)
        .then((mail) => {
          received++;
          messages.push(mail);
          for (const w of waiters.splice(0)) w();
          cb();
        })
        .catch(cb);
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.server.address() as { port: number }).port;
  return {
    url: `smtp://127.0.0.1:${port}?tls=off`,
    port,
    messages,
    received: () => received,
    waitFor: async (predicate, timeoutMs = 10_000) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = messages.find(predicate);
        if (found) return found;
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`no matching mail within ${timeoutMs} ms (received ${messages.length})`);
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, left);
          waiters.push(() => {
            clearTimeout(t);
            resolve();
          });
        });
      }
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
