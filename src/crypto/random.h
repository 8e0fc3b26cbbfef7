// Random bytes and identifiers from OpenSSL's CSPRNG (RAND_bytes).
//
// Every function here is thread-safe: OpenSSL 3 keeps a DRBG per thread. A CSPRNG failure is
// unrecoverable (no safe fallback exists), so it aborts the process instead of returning weak
// bytes.
#pragma once

#include <cstddef>
#include <string>

namespace pinfold::crypto {

// n bytes of cryptographically secure randomness.
std::string RandomBytes(size_t n);

// A random (version 4) UUID in canonical lowercase form: "3f2c1a9e-0b7d-4c61-9e2f-5a8b7c6d4e3f".
std::string NewUuidV4();

// An agent id: "x" then 7 characters of [a-z0-9], each uniformly distributed (36^7 ids).
std::string NewAgentId();

// A template id: "t" then 7 characters of [a-z0-9], like NewAgentId.
std::string NewTemplateId();

}  // namespace pinfold::crypto
