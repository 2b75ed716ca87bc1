// A real SMTP server (Nodemailer's smtp-server) for the notifications tests. Every message it accepts is written to --dir as
// <arrival>.eml (written to a temporary name, then renamed, so a reader never sees half a message). With --user and --pass it
// requires AUTH with those credentials. It prints "listening <port>" once it accepts connections.
const fs = require('fs');
const path = require('path');
const { SMTPServer } = require('smtp-server');

const args = Object.fromEntries(process.argv.slice(2).reduce((pairs, arg, i, all) =>
  arg.startsWith('--') ? [...pairs, [arg.slice(2), all[i + 1]]] : pairs, []));
const dir = args.dir;
const port = Number(args.port || 0);
fs.mkdirSync(dir, { recursive: true });
let received = fs.readdirSync(dir).filter(f => f.endsWith('.eml')).length;

const server = new SMTPServer({
  logger: false,
  disabledCommands: ['STARTTLS'],
  authOptional: !args.user,
  allowInsecureAuth: true,
  onAuth(auth, session, callback) {
    if (auth.username === args.user && auth.password === args.pass) {
      return callback(null, { user: auth.username });
    }
    return callback(new Error('Invalid username or password'));
  },
  onData(stream, session, callback) {
    const chunks = [];
    stream.on('data', chunk => chunks.push(chunk));
    stream.on('end', () => {
      received += 1;
      const name = String(received).padStart(6, '0') + '.eml';
      const temporary = path.join(dir, name + '.tmp');
      fs.writeFileSync(temporary, Buffer.concat(chunks));
      fs.renameSync(temporary, path.join(dir, name));
      callback();
    });
  },
});

server.listen(port, '127.0.0.1', () => console.log('listening ' + server.server.address().port));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
