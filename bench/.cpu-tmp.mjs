// usage: node cpu.mjs <pid> <url> <token> [amount]
import autocannon from 'autocannon';
import fs from 'node:fs';
const [pid, url, token, amount = '20000'] = process.argv.slice(2);
const cpu = () => { const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' '); return (Number(f[11]) + Number(f[12])) * 10; }; // ms (100 Hz)
await autocannon({ url, amount: 3000, connections: 10, headers: token ? { authorization: `Bearer ${token}` } : {} });
const c0 = cpu(); const t0 = Date.now();
const r = await autocannon({ url, amount: Number(amount), connections: 10, headers: token ? { authorization: `Bearer ${token}` } : {} });
const ms = cpu() - c0;
console.log(`${(ms * 1000 / Number(amount)).toFixed(1)} µs CPU/req  ${r.requests.average} req/s  non2xx ${r.non2xx}  ${url.split('/').slice(-2).join('/')}`);
