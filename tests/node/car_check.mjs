// CARv1 through npm @ipld/car, for the C++ content tests to compare against.
//
//   node car_check.mjs read FILE      prints {"roots":[...],"blocks":N,"bytes":B} after checking
//                                     every block's sha2-256 against its CID (exit 1 if one differs)
//   node car_check.mjs write DIR OUT  imports DIR with ipfs-unixfs-importer's defaults (entries as
//                                     unixfs_cid.mjs feeds them) and writes its blocks, in the
//                                     order the importer makes them, to the CAR file OUT; prints
//                                     the root CID
import { readFileSync, writeFileSync } from 'node:fs'
import { lstat, readdir, readlink } from 'node:fs/promises'
import { join } from 'node:path'
import { CarReader } from '@ipld/car/reader'
import { CarWriter } from '@ipld/car/writer'
import { importer } from 'ipfs-unixfs-importer'
import { equals } from 'multiformats/bytes'
import { sha256 } from 'multiformats/hashes/sha2'

async function read (file) {
  const reader = await CarReader.fromBytes(readFileSync(file))
  const roots = (await reader.getRoots()).map((cid) => cid.toString())
  let blocks = 0
  let bytes = 0
  for await (const { cid, bytes: block } of reader.blocks()) {
    const digest = await sha256.digest(block)
    if (!equals(digest.bytes, cid.multihash.bytes)) {
      console.error(`block ${cid} does not match its CID`)
      process.exit(1)
    }
    blocks++
    bytes += block.length
  }
  console.log(JSON.stringify({ roots, blocks, bytes }))
}

function byUtf8Bytes (a, b) {
  return Buffer.compare(Buffer.from(a), Buffer.from(b))
}

async function * walk (dir, relative) {
  for (const name of (await readdir(dir)).sort(byUtf8Bytes)) {
    const full = join(dir, name)
    const path = `${relative}/${name}`
    const info = await lstat(full)
    if (info.isDirectory()) {
      yield { path }
      yield * walk(full, path)
    } else if (info.isFile()) {
      yield { path, content: readFileSync(full) }
    } else if (info.isSymbolicLink()) {
      yield { path, link: await readlink(full) }
    }
  }
}

async function write (dir, out) {
  const blocks = []
  const blockstore = {
    put: async (cid, bytes) => { blocks.push({ cid, bytes }); return cid }
  }
  let root = null
  const source = (async function * () { yield { path: 'root' }; yield * walk(dir, 'root') })()
  for await (const entry of importer(source, blockstore)) root = entry.cid
  const { writer, out: car } = CarWriter.create([root])
  const chunks = []
  const collected = (async () => { for await (const chunk of car) chunks.push(chunk) })()
  for (const block of blocks) await writer.put(block)
  await writer.close()
  await collected
  writeFileSync(out, Buffer.concat(chunks))
  console.log(root.toString())
}

const [command, ...args] = process.argv.slice(2)
if (command === 'read' && args.length === 1) await read(args[0])
else if (command === 'write' && args.length === 2) await write(args[0], args[1])
else {
  console.error('usage: node car_check.mjs read FILE | write DIR OUT')
  process.exit(2)
}
