// hub.json: the metadata of one ClawHub listing (folder layout in hub_catalog.h).
//
//   {
//     "category": "platform",              required: 1-32 lowercase letters, digits and '-'
//     "version": "1.0.0",                  required: a semantic version (semver.org 2.0.0)
//     "createdAt": "2026-07-01T00:00:00Z", required: RFC 3339 in UTC ('Z'), optional fraction
//     "updatedAt": "2026-07-02T00:00:00Z", optional, defaults to createdAt, never before it
//     "authorName": "Pinfold",             required: 1-100 characters
//     "authorUrl": "https://...",          optional http(s) URL; so are authorLogoUrl, readmeUrl
//     "longDescription": "Markdown ...",   optional, at most 20000 characters
//     "tags": ["api", "secrets"],          optional, at most 10, each 1-32 characters
//     "featured": true,                    optional, default false
//     "envVars": [                         optional guides for the skill's .env.example variables
//       {"name": "GATEWAY_TOKEN", "description": "...", "guideUrl": "https://...",
//        "guideSteps": ["...", "..."], "required": false}
//     ]
//   }
//
// The listing's variables are exactly those .env.example declares, in its order; an envVars
// entry adds its guide to the one of the same name (its description replaces the comment's,
// `required` defaults to true) and naming a variable .env.example lacks is an error, so the two
// files cannot drift apart. Unknown fields are refused, so a typo is an error, not a silent
// default. Optional fields may also be null.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "core/result.h"
#include "services/hub_catalog.h"
#include "services/skill_package.h"

namespace pinfold::services {

// The listing described by hub.json for a skill with this manifest: every field but hubSkillId,
// slug, skillCid and skillDir. Errors are InvalidArgument "hub.json: <what>", naming the field:
// "hub.json: category is missing", "hub.json: envVars[1].name must be a string".
Result<HubSkill> ParseHubJson(std::string_view text, const SkillManifest& manifest);

// "2026-07-01T00:00:00Z" or with a fraction ("...00.5Z") -> milliseconds since the epoch;
// nullopt for anything else (offsets other than Z included).
std::optional<int64_t> ParseUtcTimestamp(std::string_view text);

// True for a semantic version: MAJOR.MINOR.PATCH without leading zeros, with optional
// -prerelease and +build parts.
bool IsSemanticVersion(std::string_view text);

}  // namespace pinfold::services
