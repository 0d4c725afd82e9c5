// A real Bluesky PDS (the reference implementation) plus a PLC directory, in one
// process, on loopback only, for the connector tests.
//
// Prints one JSON line to stdout once both are ready:
//   {"pds": "http://localhost:PORT", "plc": "http://localhost:PORT", "adminPassword": "..."}
// then stays up until its standard input closes or it gets SIGTERM/SIGINT, and
// shuts down cleanly (exit code 0).
//
// Nothing here reaches past loopback: the PLC directory is the in-process one,
// there is no app view, moderation service, relay (crawlers) or mail server, and
// handles live under `.test`, which this PDS resolves from its own database.
import fs from 'node:fs/promises'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'

// The PDS and PLC servers call listen(port) with no host, which would bind every
// interface; keep them on loopback.
const origListen = net.Server.prototype.listen
net.Server.prototype.listen = function (...args) {
  if (typeof args[0] === 'number' && (args.length === 1 || typeof args[1] === 'function')) {
    args.splice(1, 0, '127.0.0.1')
  } else if (args[0] && typeof args[0] === 'object' && args[0].port !== undefined && !args[0].host) {
    args[0] = { ...args[0], host: '127.0.0.1' }
  }
  return origListen.apply(this, args)
}

const { TestNetworkNoAppView } = await import('@atproto/dev-env')

const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'footprint-pds-'))
await fs.mkdir(path.join(dataDir, 'data'))
await fs.mkdir(path.join(dataDir, 'blobs'))
// dev-env also makes a scratch directory of its own under os.tmpdir(); keep it in ours.
process.env.TMPDIR = dataDir
let network
let closing = false

async function shutdown(code = 0) {
  if (closing) return
  closing = true
  try {
    if (network) await network.close()
  } catch (err) {
    console.error('pds: error while closing:', err)
    code = code || 1
  }
  await fs.rm(dataDir, { recursive: true, force: true })
  process.exit(code)
}

process.on('SIGTERM', () => shutdown(0))
process.on('SIGINT', () => shutdown(0))
process.stdin.on('end', () => shutdown(0))
process.stdin.on('close', () => shutdown(0))
process.stdin.resume()

try {
  network = await TestNetworkNoAppView.create({
    pds: {
      dataDirectory: path.join(dataDir, 'data'),
      blobstoreDiskLocation: path.join(dataDir, 'blobs'),
      // No app view and no moderation service: nothing to proxy to.
      bskyAppViewUrl: undefined,
      bskyAppViewDid: undefined,
      bskyAppViewCdnUrlPattern: undefined,
      modServiceUrl: undefined,
      modServiceDid: undefined,
      crawlers: [],
      // Opt-ins for tests that need them (both off by default, as in the PDS itself):
      // the PDS's in-memory rate limits (RateLimit-* headers, HTTP 429), and the DID
      // document in createSession/getSession/refreshSession answers.
      rateLimitsEnabled: process.env.PDS_RATE_LIMITS === '1',
      enableDidDocWithSession: process.env.PDS_DID_DOC_WITH_SESSION === '1',
    },
  })
} catch (err) {
  console.error('pds: failed to start:', err)
  await shutdown(1)
}
if (!closing) {
  process.stdout.write(
    JSON.stringify({
      pds: network.pds.url,
      plc: network.plc.url,
      // dev-env's fixed admin password (Basic auth "admin:<password>"), for admin XRPC
      // calls such as com.atproto.server.createInviteCode.
      adminPassword: 'admin-pass',
    }) + '\n',
  )
}
