// One client on each process of the deployment drill (docs/deployment.md), editing the demo canvas.
import { connectClient, waitSynced, waitConverged } from './lib/server.mjs'
const token = process.env.TOKEN
const on = (port) => ({ baseUrl: `http://127.0.0.1:${port}`, syncUrl: `ws://127.0.0.1:${port}/sync`, token })
const id = '5c00de70-0000-4000-8000-00000000d3e0'
const a = connectClient(on(8081), id)
const b = connectClient(on(8082), id)
await Promise.all([waitSynced(a), waitSynced(b)])
const t0 = Date.now()
a.doc.getText('situation').insert(0, 'Via proces 8081. ')
b.doc.getText('situation').insert(0, 'Via proces 8082. ')
await waitConverged([a.doc, b.doc], { timeout: 5000 })
console.log(`converged in ${Date.now() - t0} ms:`, JSON.stringify(a.doc.getText('situation').toString().slice(0, 34)))
a.destroy(); b.destroy()
process.exit(0)
