// A Solana JSON-RPC endpoint over LiteSVM (npm `litesvm`): Solana's own runtime, with the SPL Token, Associated Token Account
// and Memo programs, executes what the C# client sends. Only the methods minting uses are served, with the shapes of a
// validator's answers. State is written to --state after every change and read back at start, so the fixture can stop
// this process and start it again (the chain "down" and back) without losing the ledger.
// Test-only methods (prefix tt_): tt_dropNext (accept the next N transactions, return their signatures, execute nothing:
// a transaction lost between node and leader), tt_expireBlockhash (the next block height passes every issued blockhash).
'use strict';
const http = require('http');
const fs = require('fs');
const { LiteSVM } = require('litesvm');
const { getBase58Encoder, getBase58Decoder } = require('@solana/kit');

const args = Object.fromEntries(process.argv.slice(2).reduce((pairs, value, i, all) => (i % 2 === 0 ? [...pairs, [value.replace(/^--/, ''), all[i + 1]]] : pairs), []));
const port = Number(args.port || 0);
const statePath = args.state;
const base58 = { encode: (bytes) => getBase58Decoder().decode(bytes), decode: (text) => new Uint8Array(getBase58Encoder().encode(text)) };
const blockhashLifetime = 150; // blocks a blockhash stays valid, as on a validator

function load() {
  if (statePath && fs.existsSync(statePath)) {
    const saved = JSON.parse(fs.readFileSync(statePath + '.json', 'utf8'));
    const svm = LiteSVM.loadFromFile(statePath);
    return { svm, height: BigInt(saved.height), issued: new Map(saved.issued.map(([h, v]) => [h, BigInt(v)])) };
  }
  return { svm: new LiteSVM(), height: 1n, issued: new Map() };
}

let { svm, height, issued } = load();
const inner = svm.inner; // the native instance: it takes the wire bytes exactly as the client sent them
let dropNext = 0;

function save() {
  if (!statePath) return;
  inner.saveToFile(statePath);
  fs.writeFileSync(statePath + '.json', JSON.stringify({ height: height.toString(), issued: [...issued].map(([h, v]) => [h, v.toString()]) }));
}

class RpcError extends Error {
  constructor(code, message, data) { super(message); this.code = code; this.data = data; }
}

const context = () => ({ slot: Number(height), apiVersion: 'litesvm-1.5.0' });

function accountJson(account) {
  return {
    lamports: Number(account.lamports()), owner: base58.encode(account.owner()), data: [Buffer.from(account.data()).toString('base64'), 'base64'],
    executable: account.executable(), rentEpoch: 0, space: account.data().length,
  };
}

function errorJson(failed) {
  const text = failed.toString();
  return { text, logs: failed.meta().logs() };
}

const methods = {
  getHealth: () => 'ok',
  getBlockHeight: () => Number(height),
  getSlot: () => Number(height),
  getLatestBlockhash: () => {
    const blockhash = inner.latestBlockhash();
    if (!issued.has(blockhash)) issued.set(blockhash, height + BigInt(blockhashLifetime));
    save();
    return { context: context(), value: { blockhash, lastValidBlockHeight: Number(issued.get(blockhash)) } };
  },
  isBlockhashValid: ([blockhash]) => ({ context: context(), value: issued.has(blockhash) && issued.get(blockhash) >= height && blockhash === inner.latestBlockhash() }),
  getMinimumBalanceForRentExemption: ([size]) => Number(inner.minimumBalanceForRentExemption(BigInt(size))),
  getBalance: ([address]) => ({ context: context(), value: Number(inner.getBalance(base58.decode(address)) ?? 0n) }),
  getAccountInfo: ([address]) => {
    const account = inner.getAccount(base58.decode(address));
    return { context: context(), value: account && account.lamports() > 0n ? accountJson(account) : null };
  },
  getTokenAccountsByOwner: ([owner, filter]) => {
    const program = filter.programId || 'TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA';
    const ownerBytes = Buffer.from(base58.decode(owner));
    const value = inner.getProgramAccounts(base58.decode(program))
      .filter((a) => a.account().data().length === 165 && Buffer.from(a.account().data().subarray(32, 64)).equals(ownerBytes))
      .filter((a) => !filter.mint || base58.encode(a.account().data().subarray(0, 32)) === filter.mint)
      .map((a) => ({ pubkey: base58.encode(a.address), account: accountJson(a.account()) }));
    return { context: context(), value };
  },
  getTokenLargestAccounts: ([mint]) => {
    const value = inner.getProgramAccounts(base58.decode('TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA'))
      .filter((a) => a.account().data().length === 165 && base58.encode(a.account().data().subarray(0, 32)) === mint)
      .map((a) => {
        const amount = Buffer.from(a.account().data().subarray(64, 72)).readBigUInt64LE();
        return { address: base58.encode(a.address), amount: amount.toString(), decimals: 0, uiAmount: Number(amount), uiAmountString: amount.toString() };
      })
      .sort((x, y) => Number(BigInt(y.amount) - BigInt(x.amount)))
      .slice(0, 20);
    return { context: context(), value };
  },
  requestAirdrop: ([address, lamports]) => {
    const result = inner.airdrop(base58.decode(address), BigInt(lamports));
    if (!result || typeof result.err === 'function') throw new RpcError(-32603, 'airdrop failed', result && result.toString());
    save();
    return base58.encode(result.signature());
  },
  sendTransaction: ([encoded, config]) => {
    if (!config || config.encoding !== 'base64') throw new RpcError(-32602, 'only base64 encoding is served here');
    const wire = new Uint8Array(Buffer.from(encoded, 'base64'));
    const signature = base58.encode(wire.subarray(1, 65));
    const blockhash = base58.encode(messageBlockhash(wire));
    if (!issued.has(blockhash) || issued.get(blockhash) < height || blockhash !== inner.latestBlockhash()) {
      throw new RpcError(-32002, 'Transaction simulation failed: Blockhash not found', { err: 'BlockhashNotFound', logs: [] });
    }
    if (dropNext > 0) {
      dropNext--;
      return signature;
    }
    const result = inner.sendLegacyTransaction(wire);
    if (typeof result.err === 'function') {
      throw new RpcError(-32002, 'Transaction simulation failed: ' + result.toString(), { err: result.toString(), logs: result.meta().logs() });
    }
    height += 1n;
    save();
    return signature;
  },
  getSignatureStatuses: ([signatures]) => ({
    context: context(),
    value: signatures.map((signature) => {
      const found = inner.getTransaction(base58.decode(signature));
      if (!found) return null;
      const failed = typeof found.err === 'function';
      return { slot: Number(height), confirmations: null, err: failed ? errorJson(found) : null, confirmationStatus: 'finalized', status: failed ? { Err: found.toString() } : { Ok: null } };
    }),
  }),
  tt_dropNext: ([count]) => { dropNext = count; return dropNext; },
  tt_expireBlockhash: () => {
    inner.expireBlockhash();
    height += BigInt(blockhashLifetime) + 1n;
    save();
    return Number(height);
  },
};

// The recent blockhash sits after the signatures, the 3-byte header and the account keys.
function messageBlockhash(wire) {
  let [signatures, offset] = readShortVec(wire, 0);
  offset += signatures * 64 + 3;
  let keys;
  [keys, offset] = readShortVec(wire, offset);
  offset += keys * 32;
  return wire.subarray(offset, offset + 32);
}

function readShortVec(bytes, offset) {
  let value = 0;
  for (let i = 0; i < 3; i++) {
    const b = bytes[offset + i];
    value |= (b & 0x7f) << (7 * i);
    if ((b & 0x80) === 0) return [value, offset + i + 1];
  }
  throw new RpcError(-32602, 'bad shortvec');
}

function answer(request) {
  const { id, method, params } = request;
  try {
    if (!methods[method]) throw new RpcError(-32601, `Method not found: ${method}`);
    return { jsonrpc: '2.0', id, result: methods[method](params || []) };
  } catch (e) {
    return { jsonrpc: '2.0', id, error: { code: e.code || -32603, message: e.message, data: e.data } };
  }
}

const server = http.createServer((req, res) => {
  let body = '';
  req.on('data', (chunk) => { body += chunk; });
  req.on('end', () => {
    let reply;
    try {
      const request = JSON.parse(body);
      reply = Array.isArray(request) ? request.map(answer) : answer(request);
    } catch (e) {
      reply = { jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error' } };
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(reply));
  });
});
server.listen(port, '127.0.0.1', () => console.log(`listening ${server.address().port}`));
