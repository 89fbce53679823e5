// SPEC §7.1's URL rules: LAN allowed; link-local, unspecified, multicast and metadata refused; loopback only
// behind the flag; every resolved address checked.
import { describe, expect, it } from 'vitest'
import { addressRefusal, checkNodeUrl, parseNodeUrl } from './url-rules.js'

const resolver = (table: Record<string, string[]>) => async (host: string) => {
  const hit = table[host]
  if (!hit) throw new Error('ENOTFOUND')
  return hit
}
const refusal = async (url: string, allowLoopback = false, table: Record<string, string[]> = {}) =>
  await checkNodeUrl(url, { allowLoopback, resolve: resolver(table) }).then(() => null, (err: Error) => err.message)

describe('node URL rules', () => {
  it('allows private LAN and public addresses over http and https', async () => {
    for (const url of ['http://192.168.1.20:11434', 'http://10.0.0.5:11434/', 'https://172.16.3.4', 'http://100.64.1.2:11434', 'http://[fd12:3456::1]:11434', 'http://8.8.8.8']) {
      expect([url, await refusal(url)]).toEqual([url, null])
    }
  })

  it('refuses other schemes, credentials, a query or a fragment', async () => {
    expect(await refusal('ftp://10.0.0.5')).toMatch(/http/)
    expect(await refusal('file:///etc/passwd')).toMatch(/http/)
    expect(await refusal('http://user:pw@10.0.0.5:11434')).toMatch(/credentials/)
    expect(await refusal('http://10.0.0.5:11434/?x=1')).toMatch(/query/)
    expect(await refusal('http://10.0.0.5:11434/#x')).toMatch(/query or fragment/)
    expect(await refusal('not a url')).toMatch(/valid URL/)
    expect(() => parseNodeUrl('http://10.0.0.5:11434/ollama')).not.toThrow()
  })

  it('refuses link-local, unspecified, multicast, reserved and metadata addresses', async () => {
    for (const url of ['http://169.254.169.254/', 'http://169.254.1.1:11434', 'http://0.0.0.0:11434', 'http://[::]:11434', 'http://[fe80::1]:11434',
      'http://224.0.0.1', 'http://[ff02::1]', 'http://255.255.255.255', 'http://[fd00:ec2::254]', 'http://metadata.google.internal/',
      'http://METADATA.GOOGLE.INTERNAL./', 'http://[::ffff:169.254.169.254]/']) {
      expect([url, await refusal(url, true)]).toEqual([url, expect.any(String)])
    }
  })

  it('allows loopback only with the flag, whatever form the address takes', async () => {
    for (const url of ['http://127.0.0.1:11434', 'http://127.1.2.3', 'http://[::1]:11434', 'http://2130706433/', 'http://0x7f.1/', 'http://[::ffff:127.0.0.1]/']) {
      expect([url, await refusal(url)]).toEqual([url, expect.stringMatching(/loopback/)])
      expect([url, await refusal(url, true)]).toEqual([url, null])
    }
  })

  it('resolves a hostname and refuses it when any address is refused', async () => {
    const table = { 'gpu-1.lan': ['192.168.1.20'], 'sneaky.example': ['192.168.1.20', '169.254.169.254'], localhost: ['127.0.0.1', '::1'] }
    expect(await refusal('http://gpu-1.lan:11434', false, table)).toBeNull()
    expect(await refusal('http://sneaky.example:11434', false, table)).toMatch(/sneaky\.example resolves to 169\.254\.169\.254/)
    expect(await refusal('http://localhost:11434', false, table)).toMatch(/loopback/)
    expect(await refusal('http://localhost:11434', true, table)).toBeNull()
    expect(await refusal('http://nowhere.invalid', false, table)).toMatch(/does not resolve/)
  })

  it('classifies single addresses', () => {
    expect(addressRefusal('192.168.0.1', false)).toBeNull()
    expect(addressRefusal('::ffff:10.0.0.1', false)).toBeNull()
    expect(addressRefusal('fe80::abcd', true)).toMatch(/link-local/)
    expect(addressRefusal('not-an-ip', true)).toMatch(/not an IP/)
  })
})
