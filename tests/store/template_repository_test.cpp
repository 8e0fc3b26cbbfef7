#include "store/template_repository.h"

#include <gtest/gtest.h>

#include <memory>

#include "store/migrations.h"
#include "store/sqlite_db.h"
#include "support/temp_dir.h"

namespace pinfold::store {
namespace {

TemplateRecord MakeTemplate(const std::string& id, const std::string& workspace,
                            const std::string& slug, const std::string& status) {
    TemplateRecord t;
    t.id = id;
    t.workspace = workspace;
    t.submittedBy = "user-" + workspace;
    t.slug = slug;
    t.name = "Name " + slug;
    t.category = "research";
    t.status = status;
    t.gitUrl = "https://example.org/" + slug + ".git";
    t.gitPath = "";
    t.commitSha = std::string(40, 'a');
    t.snapshotCid = "bafy" + slug;
    t.manifestJson = R"({"version":1,"agent":{"name":"x"}})";
    t.readme = "# " + slug;
    t.createdAtMs = t.updatedAtMs = 100;
    return t;
}

// "id:status" per template, in order.
std::string Render(const Result<std::vector<TemplateRecord>>& list) {
    if (!list.ok())
        return list.status().ToString();
    std::string out;
    for (const auto& t : *list)
        out += (out.empty() ? "" : " ") + t.id + ":" + t.status;
    return out;
}

class TemplateRepositoryTest : public ::testing::Test {
  protected:
    void SetUp() override {
        Result<std::unique_ptr<Db>> db = OpenSqliteDb(dir_.file("p.db"));
        ASSERT_TRUE(db.ok());
        db_ = std::move(*db);
        ASSERT_TRUE(Migrate(*db_).ok());
        repo_ = std::make_unique<TemplateRepository>(*db_);
    }
    testing::TempDir dir_;
    std::unique_ptr<Db> db_;
    std::unique_ptr<TemplateRepository> repo_;
};

TEST_F(TemplateRepositoryTest, RoundTripsEveryField) {
    TemplateRecord t = MakeTemplate("tone0001", "w1", "one", kTemplateDraft);
    t.gitRef = "v1";
    t.gitPath = "sub/dir";
    t.reviewNote = "why";
    t.featured = true;
    ASSERT_TRUE(repo_->insert(t).ok());
    Result<TemplateRecord> back = repo_->get("tone0001");
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(*back, t);
    EXPECT_EQ(repo_->get("tnope").status().ToString(), "NotFound: Template not found");
}

TEST_F(TemplateRepositoryTest, ALiveSlugIsTakenUntilItsTemplateIsArchived) {
    ASSERT_TRUE(repo_->insert(MakeTemplate("ta", "w1", "same", kTemplatePublished)).ok());
    EXPECT_EQ(repo_->insert(MakeTemplate("tb", "w2", "same", kTemplateDraft)).ToString(),
              "Conflict: Template slug is already taken: same");
    TemplateRecord a = *repo_->get("ta");
    a.status = kTemplateArchived;
    ASSERT_TRUE(repo_->update(a).ok());
    EXPECT_TRUE(repo_->insert(MakeTemplate("tb", "w2", "same", kTemplateDraft)).ok());
    EXPECT_EQ(repo_->findLiveBySlug("same")->value().id, "tb");
    EXPECT_FALSE(repo_->findLiveBySlug("other")->has_value());
    // An update that takes a live slug is refused the same way.
    ASSERT_TRUE(repo_->insert(MakeTemplate("tc", "w1", "third", kTemplateDraft)).ok());
    TemplateRecord c = *repo_->get("tc");
    c.slug = "same";
    EXPECT_EQ(repo_->update(c).ToString(), "Conflict: Template slug is already taken: same");
    EXPECT_EQ(repo_->update(MakeTemplate("tnone", "w1", "x", kTemplateDraft)).ToString(),
              "NotFound: Template not found");
}

TEST_F(TemplateRepositoryTest, ListsFilterByWorkspaceStatusCategoryAndFeatured) {
    TemplateRecord featured = MakeTemplate("t3", "w2", "zeta", kTemplatePublished);
    featured.featured = true;
    TemplateRecord defi = MakeTemplate("t4", "w2", "beta", kTemplatePublished);
    defi.category = "defi";
    for (const auto& t : {MakeTemplate("t1", "w1", "alpha", kTemplatePendingReview),
                          MakeTemplate("t2", "w1", "gone", kTemplateArchived), featured, defi}) {
        ASSERT_TRUE(repo_->insert(t).ok());
    }
    EXPECT_EQ(Render(repo_->list({})), "t3:published t1:pending_review t4:published");
    EXPECT_EQ(Render(repo_->list({"w1", false, std::nullopt, false})), "t1:pending_review");
    EXPECT_EQ(Render(repo_->list({std::nullopt, true, std::nullopt, false})),
              "t3:published t4:published");
    EXPECT_EQ(Render(repo_->list({std::nullopt, true, "defi", false})), "t4:published");
    EXPECT_EQ(Render(repo_->list({std::nullopt, false, std::nullopt, true})), "t3:published");
}

}  // namespace
}  // namespace pinfold::store
