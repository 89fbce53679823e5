// Which node URLs the coordinator will talk to (SPEC §7.1). GPU machines live on the private LAN, so private
// ranges are allowed; what is refused is what turns the coordinator into a way to reach the host itself or a
// cloud's metadata service: link-local, unspecified, multicast, metadata addresses, and loopback unless a local
// run allows it. A hostname is resolved and every address it gives is checked, and the same check runs inside
// every connection's DNS lookup (guardedLookup), so a name that later resolves elsewhere is refused then too.
import { BlockList, isIP, type LookupFunction } from 'node:net'
import { lookup as dnsLookup, type LookupAddress } from 'node:dns'

const refused = new BlockList()
refused.addSubnet('0.0.0.0', 8, 'ipv4') // "this network", incl. the unspecified 0.0.0.0
refused.addSubnet('169.254.0.0', 16, 'ipv4') // link-local, incl. the metadata address 169.254.169.254
refused.addSubnet('224.0.0.0', 4, 'ipv4') // multicast
refused.addSubnet('240.0.0.0', 4, 'ipv4') // reserved, incl. broadcast
refused.addAddress('::', 'ipv6') // unspecified
refused.addSubnet('fe80::', 10, 'ipv6') // link-local
refused.addSubnet('ff00::', 8, 'ipv6') // multicast
refused.addAddress('fd00:ec2::254', 'ipv6') // AWS metadata over IPv6

const loopback = new BlockList()
loopback.addSubnet('127.0.0.0', 8, 'ipv4')
loopback.addAddress('::1', 'ipv6')

const METADATA_HOSTS = new Set(['metadata.google.internal', 'metadata.goog', 'metadata'])

export class UrlRefused extends Error {}

/** Why an address may not be a node's, or null when it may. IPv4-mapped IPv6 addresses follow the IPv4 rules. */
export function addressRefusal (address: string, allowLoopback: boolean): string | null {
  const family = isIP(address)
  if (family === 0) return `${address} is not an IP address`
  const type = family === 4 ? 'ipv4' : 'ipv6'
  if (refused.check(address, type)) return `${address} is a link-local, unspecified, multicast or metadata address`
  if (loopback.check(address, type) && !allowLoopback) return `${address} is a loopback address (allowed only with ROBBIE_GPU_ALLOW_LOOPBACK=true)`
  return null
}

/** Shape only: http(s), no credentials, a host, no query or fragment. Returns the normalised base URL. */
export function parseNodeUrl (raw: string): URL {
  let url: URL
  try { url = new URL(raw) } catch { throw new UrlRefused('not a valid URL') }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UrlRefused('only http and https URLs are allowed')
  if (url.username !== '' || url.password !== '') throw new UrlRefused('credentials are not allowed in the URL')
  if (url.search !== '' || url.hash !== '') throw new UrlRefused('a query or fragment is not allowed in the URL')
  if (url.hostname === '') throw new UrlRefused('the URL has no host')
  return url
}

const hostOf = (url: URL) => url.hostname.replace(/^\[|\]$/g, '').replace(/\.$/, '').toLowerCase()

export type Resolver = (host: string) => Promise<string[]>
const systemResolver: Resolver = async (host) => await new Promise((resolve, reject) => {
  dnsLookup(host, { all: true, verbatim: true }, (err, addresses) => {
    if (err) reject(err)
    else resolve(addresses.map((a) => a.address))
  })
})

/** The whole check of a node URL: shape, the metadata names, then every address the host resolves to. */
export async function checkNodeUrl (raw: string, opts: { allowLoopback: boolean, resolve?: Resolver }): Promise<URL> {
  const url = parseNodeUrl(raw)
  const host = hostOf(url)
  if (METADATA_HOSTS.has(host)) throw new UrlRefused(`${host} is a metadata service`)
  let addresses: string[]
  if (isIP(host) !== 0) addresses = [host]
  else {
    try { addresses = await (opts.resolve ?? systemResolver)(host) } catch { throw new UrlRefused(`${host} does not resolve`) }
    if (addresses.length === 0) throw new UrlRefused(`${host} does not resolve`)
  }
  for (const address of addresses) {
    const why = addressRefusal(address, opts.allowLoopback)
    if (why) throw new UrlRefused(isIP(host) !== 0 ? why : `${host} resolves to ${why}`)
  }
  return url
}

/** A `lookup` for node:http that refuses a connection when any resolved address breaks the rules. */
export function guardedLookup (allowLoopback: boolean): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
      if (err) { callback(err, '', 0); return }
      const bad = addresses.map((a) => addressRefusal(a.address, allowLoopback)).find((why) => why !== null)
      if (bad || METADATA_HOSTS.has(hostname.toLowerCase())) {
        callback(Object.assign(new Error(`node address refused: ${bad ?? hostname}`), { code: 'EADDRREFUSED' }), '', 0)
        return
      }
      if (options.all) (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses)
      else callback(null, addresses[0]!.address, addresses[0]!.family)
    })
  }
}

/** The stored form of a checked base URL: no trailing slash. */
export const baseUrlOf = (url: URL) => url.href.replace(/\/+$/, '')
