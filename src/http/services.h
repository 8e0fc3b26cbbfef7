// The services the route table's handlers call. Built once by `pinfold serve` (cli/serve.cpp)
// and passed by reference; handlers hold no state of their own.
#pragma once

namespace pinfold::services {
class AgentService;
class ConsoleService;
class FileService;
class GitHttpService;
class KeyService;
class ScriptService;
class SecretService;
class SkillService;
class SnapshotService;
class TemplateService;
}  // namespace pinfold::services

namespace pinfold::http {

struct Services {
    services::AgentService& agents;
    services::ConsoleService& console;
    services::FileService& files;
    services::KeyService& keys;
    services::SnapshotService& snapshots;
    services::GitHttpService& git;
    services::SecretService& secrets;
    services::SkillService& skills;
    services::TemplateService& templates;
    services::ScriptService& scripts;
};

}  // namespace pinfold::http
