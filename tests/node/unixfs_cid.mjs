// Prints the root CID that npm ipfs-unixfs-importer computes for a file or folder, for the
// C++ content tests and bench/cid to compare against. Nothing is stored (black-hole blockstore).
//
//   node unixfs_cid.mjs PATH [--cid-version 0|1] [--raw-leaves true|false]
//                            [--chunk-size N] [--max-children N] [--shard-threshold N]
//
// A folder is fed the way `ipfs add -r` feeds it: an entry for every folder (so empty ones are
// kept), regular files, and symlinks (not followed); other file types are skipped. Entries come
// in sorted walk order, names compared as UTF-8 bytes, the order Pinfold's importer uses.
// Options not given keep the importer's defaults.
import { createReadStream } from 'node:fs'
import { lstat, readdir, readlink, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { BlackHoleBlockstore } from 'blockstore-core/black-hole'
import { fixedSize } from 'ipfs-unixfs-importer/chunker'
import { balanced } from 'ipfs-unixfs-importer/layout'
import { importer } from 'ipfs-unixfs-importer'

function usage () {
  console.error('usage: node unixfs_cid.mjs PATH [--cid-version 0|1] [--raw-leaves true|false] ' +
    '[--chunk-size N] [--max-children N] [--shard-threshold N]')
  process.exit(2)
}

function parseArgs (argv) {
  const args = { path: null, options: {} }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    if (!arg.startsWith('--')) {
      if (args.path !== null) usage()
      args.path = arg
      continue
    }
    const value = argv[++i]
    if (value === undefined) usage()
    if (arg === '--cid-version') args.options.cidVersion = Number(value)
    else if (arg === '--raw-leaves') args.options.rawLeaves = value === 'true'
    else if (arg === '--chunk-size') args.options.chunker = fixedSize({ chunkSize: Number(value) })
    else if (arg === '--max-children') args.options.layout = balanced({ maxChildrenPerNode: Number(value) })
    else if (arg === '--shard-threshold') args.options.shardSplitThresholdBytes = Number(value)
    else usage()
  }
  if (args.path === null) usage()
  return args
}

function byUtf8Bytes (a, b) {
  return Buffer.compare(Buffer.from(a), Buffer.from(b))
}

async function * walk (dir, relative) {
  const names = (await readdir(dir)).sort(byUtf8Bytes)
  for (const name of names) {
    const full = join(dir, name)
    const path = `${relative}/${name}`
    const info = await lstat(full)
    if (info.isDirectory()) {
      yield { path }
      yield * walk(full, path)
    } else if (info.isFile()) {
      yield { path, content: createReadStream(full, { highWaterMark: 1 << 20 }) }
    } else if (info.isSymbolicLink()) {
      yield { path, link: await readlink(full) }
    }
  }
}

async function * folderEntries (dir) {
  yield { path: 'root' }
  yield * walk(dir, 'root')
}

const { path, options } = parseArgs(process.argv.slice(2))
const blockstore = new BlackHoleBlockstore()
const info = await stat(path)
const source = info.isDirectory()
  ? folderEntries(path)
  : [{ content: createReadStream(path, { highWaterMark: 1 << 20 }) }]
let root = null
for await (const entry of importer(source, blockstore, options)) {
  root = entry
}
console.log(root.cid.toString())
