#include "cli/data_dir.h"

#include <sys/stat.h>

#include <filesystem>

#include "services/master_key.h"
#include "store/migrations.h"
#include "store/sqlite_db.h"

namespace pinfold::cli {

Result<OpenedDataDir> OpenDataDir(const std::string& dir, const std::string& masterKeyFile) {
    std::error_code ec;
    std::filesystem::path root = std::filesystem::absolute(dir, ec);
    if (ec)
        return Status::InvalidArgument("Bad data folder " + dir + ": " + ec.message());
    std::filesystem::create_directories(root / "agents", ec);
    if (ec)
        return Status::Internal("Cannot create data folder " + root.string() + ": " + ec.message());
    ::chmod(root.c_str(), 0711);
    ::chmod((root / "agents").c_str(), 0711);

    OpenedDataDir opened;
    opened.layout.root = root.lexically_normal().string();
    if (!opened.layout.root.empty() && opened.layout.root.back() == '/') {
        opened.layout.root.pop_back();
    }
    PINFOLD_ASSIGN_OR_RETURN(
        opened.masterKey, services::LoadOrCreateMasterKey(
                              masterKeyFile.empty() ? opened.layout.masterKey() : masterKeyFile));
    PINFOLD_ASSIGN_OR_RETURN(opened.db, store::OpenSqliteDb(opened.layout.database()));
    PINFOLD_TRY(store::Migrate(*opened.db));
    return opened;
}

std::string JwtSigningKey(const std::string& masterKey) {
    return services::DeriveKey(masterKey, "pinfold/jwt/hs256");
}

}  // namespace pinfold::cli
