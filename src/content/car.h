// CARv1 (content addressable archive), the file format IPFS tools move DAGs in:
//
//   varint(header length) header   header = DAG-CBOR {"roots": [CID], "version": 1}
//   varint(section length) CID-bytes block-bytes   ... one section per block
//
// Pinfold writes one root, the root's block first and the rest depth-first in link order, each
// block once, with the header's map keys in DAG-CBOR's canonical order ("roots" before
// "version") as go-car and js @ipld/car write them. Reading is strict and verifies every block
// against its CID before it reaches the sink. Stateless; thread-safe when source and sink are.
#pragma once

#include <cstddef>
#include <functional>
#include <string_view>

#include "content/blocks.h"
#include "content/cid.h"
#include "core/result.h"

namespace pinfold::content {

// Streams the CAR of the DAG under root through `write` (called many times, in order).
// NotFound for a missing block, or the first error `write` returns.
Status WriteCar(const Cid& root, const BlockSource& source,
                const std::function<Status(std::string_view)>& write);

// The CAR's header alone (for tests and for callers that stream sections themselves).
std::string EncodeCarHeader(const Cid& root);

// Parses a whole CAR of at most maxBytes: exactly one root, every block hashing to its CID,
// the root's block among them. Blocks go to the sink as they are verified (a CAR refused
// halfway may have stored some). Returns the root. InvalidArgument "Invalid CAR: <reason>" on
// anything else, an input above maxBytes included.
Result<Cid> ReadCar(std::string_view car, BlockSink& sink, size_t maxBytes);

}  // namespace pinfold::content
