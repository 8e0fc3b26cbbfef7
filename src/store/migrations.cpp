#include "store/migrations.h"

#include "core/clock.h"

namespace pinfold::store {

const std::vector<Migration>& AllMigrations() {
    static const std::vector<Migration> kMigrations = {
        {1,
         "workspaces, api keys, agents",
         {
             "CREATE TABLE workspaces ("
             "  name TEXT PRIMARY KEY,"
             "  user_id TEXT NOT NULL UNIQUE,"
             "  created_at_ms BIGINT NOT NULL)",

             "CREATE TABLE api_keys ("
             "  id TEXT PRIMARY KEY,"
             "  workspace TEXT NOT NULL,"
             "  name TEXT NOT NULL,"
             "  created_at_ms BIGINT NOT NULL,"
             "  expires_at_ms BIGINT,"
             "  revoked_at_ms BIGINT)",

             "CREATE INDEX api_keys_workspace ON api_keys (workspace)",

             // Deleted agents keep their row (deleted_at_ms set) so their id and host uid are never
             // handed out again: a reused uid could read files a former agent left behind.
             "CREATE TABLE agents ("
             "  id TEXT PRIMARY KEY,"
             "  workspace TEXT NOT NULL,"
             "  name TEXT NOT NULL,"
             "  description TEXT,"
             "  vibe TEXT,"
             "  emoji TEXT,"
             "  engine TEXT NOT NULL,"
             "  engine_version TEXT NOT NULL,"
             "  gateway_token TEXT NOT NULL UNIQUE,"
             "  host_uid BIGINT NOT NULL UNIQUE,"
             "  desired_running INTEGER NOT NULL,"
             "  created_at_ms BIGINT NOT NULL,"
             "  updated_at_ms BIGINT NOT NULL,"
             "  deleted_at_ms BIGINT)",

             "CREATE INDEX agents_workspace ON agents (workspace)",
         }},
        {2,
         "workspace snapshots",
         {
             // The newest snapshot's fields, kept on the agent row so lists need no join.
             "ALTER TABLE agents ADD COLUMN last_sync_ms BIGINT",
             "ALTER TABLE agents ADD COLUMN snapshot_cid TEXT",
             "ALTER TABLE agents ADD COLUMN file_manifest TEXT",
             "ALTER TABLE agents ADD COLUMN snapshots_updated_at_ms BIGINT",

             // Every snapshot an agent ever had: reset accepts any of them, lists show the last 10.
             "CREATE TABLE snapshots ("
             "  agent_id TEXT NOT NULL,"
             "  seq BIGINT NOT NULL,"
             "  cid TEXT NOT NULL,"
             "  commit_sha TEXT NOT NULL,"
             "  change_summary TEXT NOT NULL,"
             "  content_diff TEXT NOT NULL,"
             "  created_at_ms BIGINT NOT NULL,"
             "  PRIMARY KEY (agent_id, seq))",

             "CREATE INDEX snapshots_cid ON snapshots (agent_id, cid)",
         }},
        {3,
         "secrets vault",
         {
             // value_sealed: base64 of AES-256-GCM(workspace key, value, aad = id). revision
             // counts value changes, so an attachment knows which value its engine started with.
             "CREATE TABLE secrets ("
             "  id TEXT PRIMARY KEY,"
             "  workspace TEXT NOT NULL,"
             "  name TEXT NOT NULL,"
             "  type TEXT NOT NULL,"
             "  value_sealed TEXT NOT NULL,"
             "  revision BIGINT NOT NULL,"
             "  created_at_ms BIGINT NOT NULL,"
             "  updated_at_ms BIGINT NOT NULL,"
             "  UNIQUE (workspace, name))",

             // applied_revision: the secret's revision the agent's engine last started with
             // (NULL until it has started with this attachment).
             "CREATE TABLE agent_secrets ("
             "  agent_id TEXT NOT NULL,"
             "  secret_id TEXT NOT NULL,"
             "  attached_at_ms BIGINT NOT NULL,"
             "  applied_revision BIGINT,"
             "  PRIMARY KEY (agent_id, secret_id))",

             "CREATE INDEX agent_secrets_secret ON agent_secrets (secret_id)",
         }},
        {4,
         "skills library",
         {
             // One row per skill of a workspace's library. description and env_vars (a JSON
             // array of {name, description}) are those of its newest version; slug and
             // hub_skill_id are set when it was installed from the hub.
             "CREATE TABLE skills ("
             "  id TEXT PRIMARY KEY,"
             "  workspace TEXT NOT NULL,"
             "  name TEXT NOT NULL,"
             "  slug TEXT,"
             "  description TEXT,"
             "  env_vars TEXT NOT NULL,"
             "  hub_skill_id TEXT,"
             "  created_at_ms BIGINT NOT NULL,"
             "  UNIQUE (workspace, name))",

             // Every version of a skill: version is a semantic version, cid its folder's CID.
             "CREATE TABLE skill_versions ("
             "  skill_id TEXT NOT NULL,"
             "  version TEXT NOT NULL,"
             "  cid TEXT NOT NULL,"
             "  created_at_ms BIGINT NOT NULL,"
             "  PRIMARY KEY (skill_id, version))",

             "CREATE INDEX skill_versions_cid ON skill_versions (cid)",

             // The version of a skill whose files an agent has in workspace/skills/<name>/.
             "CREATE TABLE agent_skills ("
             "  agent_id TEXT NOT NULL,"
             "  skill_id TEXT NOT NULL,"
             "  version TEXT NOT NULL,"
             "  cid TEXT NOT NULL,"
             "  attached_at_ms BIGINT NOT NULL,"
             "  PRIMARY KEY (agent_id, skill_id))",

             "CREATE INDEX agent_skills_skill ON agent_skills (skill_id)",
         }},
        {5,
         "templates",
         {
             // One row per template a workspace submitted from a git repository: the commit it
             // was taken from (git_url never holds credentials), the CID of its folder in the
             // block store, and its manifest.json and README.md as read then. Other fields of
             // the API's Template object are derived from the manifest.
             "CREATE TABLE templates ("
             "  id TEXT PRIMARY KEY,"
             "  workspace TEXT NOT NULL,"
             "  submitted_by TEXT NOT NULL,"
             "  slug TEXT NOT NULL,"
             "  name TEXT NOT NULL,"
             "  category TEXT,"
             "  status TEXT NOT NULL,"
             "  review_note TEXT,"
             "  git_url TEXT NOT NULL,"
             "  git_ref TEXT,"
             "  git_path TEXT NOT NULL,"
             "  commit_sha TEXT NOT NULL,"
             "  snapshot_cid TEXT NOT NULL,"
             "  manifest_json TEXT NOT NULL,"
             "  readme TEXT NOT NULL,"
             "  featured BIGINT NOT NULL,"
             "  created_at_ms BIGINT NOT NULL,"
             "  updated_at_ms BIGINT NOT NULL)",

             // A slug names one template at a time; an archived one gives its slug up.
             "CREATE UNIQUE INDEX templates_live_slug ON templates (slug) "
             "WHERE status <> 'archived'",
             "CREATE INDEX templates_workspace ON templates (workspace)",
         }},
        {6,
         "lifecycle scripts",
         {
             // The last state of each lifecycle script of an agent (script: build or start),
             // as the API shows it, with its last run's times and exit code.
             "CREATE TABLE agent_scripts ("
             "  agent_id TEXT NOT NULL,"
             "  script TEXT NOT NULL,"
             "  state TEXT NOT NULL,"
             "  exit_code BIGINT,"
             "  started_at_ms BIGINT,"
             "  finished_at_ms BIGINT,"
             "  error TEXT,"
             "  PRIMARY KEY (agent_id, script))",
         }},
    };
    return kMigrations;
}

Status Migrate(Db& db) {
    return Migrate(db, AllMigrations());
}

Status Migrate(Db& db, const std::vector<Migration>& migrations) {
    PINFOLD_TRY(db.exec("CREATE TABLE IF NOT EXISTS schema_migrations ("
                        "  version BIGINT PRIMARY KEY,"
                        "  applied_at_ms BIGINT NOT NULL)")
                    .status());

    int64_t known = migrations.empty() ? 0 : migrations.back().version;
    PINFOLD_ASSIGN_OR_RETURN(std::vector<DbRow> newest,
                             db.query("SELECT MAX(version) FROM schema_migrations"));
    int64_t applied = newest.empty() ? 0 : newest[0].getInt(0);
    if (applied > known) {
        return Status::Internal("Database schema version " + std::to_string(applied) +
                                " is newer than this binary (" + std::to_string(known) + ")");
    }

    RealClock clock;
    for (const Migration& migration : migrations) {
        PINFOLD_TRY(db.transaction([&](Db& tx) -> Status {
            // Checked inside the transaction so two servers starting at once cannot both apply it.
            PINFOLD_ASSIGN_OR_RETURN(
                std::vector<DbRow> done,
                tx.query("SELECT 1 FROM schema_migrations WHERE version = ?", {migration.version}));
            if (!done.empty())
                return Status::Ok();
            for (const std::string& statement : migration.statements) {
                PINFOLD_TRY(tx.exec(statement).status());
            }
            return tx
                .exec("INSERT INTO schema_migrations (version, applied_at_ms) VALUES (?, ?)",
                      {migration.version, clock.nowMs()})
                .status();
        }));
    }
    return Status::Ok();
}

}  // namespace pinfold::store
