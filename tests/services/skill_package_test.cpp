// Skill packages: unpacking hostile archives, SKILL.md front matter, .env.example, and the CID of
// a skill folder.
#include "services/skill_package.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "content/importer.h"
#include "content/memory_block_store.h"
#include "skill_test_util.h"
#include "support/temp_dir.h"

namespace pinfold::services {
namespace {

using testutil::MakeTar;
using testutil::RawUstarHeader;
using testutil::ReadText;
using testutil::RenderTree;
using testutil::TarEntry;
using testutil::WriteText;

const std::string kSkillMd = "---\nname: demo\ndescription: A demo skill.\n---\n# Demo\n";

class ExtractSkillArchiveTest : public ::testing::Test {
  protected:
    // Extracts into a fresh folder; returns the status, the folder in dest().
    Status Extract(std::string_view archive, const SkillArchiveLimits& limits = {}) {
        dest_ = temp_.file("out" + std::to_string(++extractions_));
        std::filesystem::create_directories(dest_);
        return ExtractSkillArchive(archive, dest_, limits);
    }
    std::string Tree() const { return RenderTree(dest_); }
    const std::string& dest() const { return dest_; }

    testing::TempDir temp_;
    std::string dest_;
    int extractions_ = 0;
};

TEST_F(ExtractSkillArchiveTest, StripsTheOneTopLevelFolder) {
    std::string archive =
        MakeTar({TarEntry::Folder("my-skill/"), TarEntry::File("my-skill/SKILL.md", kSkillMd),
                 TarEntry::File("my-skill/scripts/run.sh", "echo hi\n"),
                 TarEntry::Folder("my-skill/empty/")});
    ASSERT_TRUE(Extract(archive).ok());
    EXPECT_EQ(Tree(), "f SKILL.md 53\nd empty\nd scripts\nf scripts/run.sh 8\n");
    EXPECT_EQ(ReadText(dest() + "/SKILL.md"), kSkillMd);
    struct stat st;
    ASSERT_EQ(::stat((dest() + "/scripts/run.sh").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0644u);
    ASSERT_EQ(::stat((dest() + "/scripts").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0755u);
}

TEST_F(ExtractSkillArchiveTest, KeepsSeveralTopLevelNamesAndALoneFile) {
    ASSERT_TRUE(
        Extract(MakeTar({TarEntry::File("SKILL.md", kSkillMd), TarEntry::File("docs/a.md", "a")}))
            .ok());
    EXPECT_EQ(Tree(), "f SKILL.md 53\nd docs\nf docs/a.md 1\n");
    ASSERT_TRUE(Extract(MakeTar({TarEntry::File("SKILL.md", kSkillMd)})).ok());
    EXPECT_EQ(Tree(), "f SKILL.md 53\n");
}

TEST_F(ExtractSkillArchiveTest, DropsDotPartsAndAcceptsPlainTar) {
    std::string archive =
        MakeTar({TarEntry::Folder("./"), TarEntry::File("./SKILL.md", kSkillMd),
                 TarEntry::File("./a/./b.txt", "b"), TarEntry::File("a//c.txt", "cc")},
                false);
    ASSERT_TRUE(Extract(archive).ok());
    EXPECT_EQ(Tree(), "f SKILL.md 53\nd a\nf a/b.txt 1\nf a/c.txt 2\n");
}

TEST_F(ExtractSkillArchiveTest, KeepsUtf8Names) {
    // Python writes a pax "path" record in UTF-8 for a name that is not ASCII; the test runs in
    // the C locale, where libarchive cannot convert it to the locale's charset.
    const std::string script =
        "import io, tarfile, sys\n"
        "with tarfile.open(sys.argv[1], 'w:gz', format=tarfile.PAX_FORMAT) as t:\n"
        "    for name, data in [('SKILL.md', b'x'), ('docs/\\u65e5\\u672c \\u00fc.md', b'ja')]:\n"
        "        info = tarfile.TarInfo(name)\n"
        "        info.size = len(data)\n"
        "        t.addfile(info, io.BytesIO(data))\n";
    WriteText(temp_.file("make.py"), script);
    int exitCode = -1;
    std::string out = testing::RunShell(
        "python3 " + temp_.file("make.py") + " " + temp_.file("u.tgz") + " 2>&1", &exitCode);
    ASSERT_EQ(exitCode, 0) << out;
    ASSERT_TRUE(Extract(ReadText(temp_.file("u.tgz"))).ok());
    EXPECT_EQ(Tree(), "f SKILL.md 1\nd docs\nf docs/日本 ü.md 2\n");
}

TEST_F(ExtractSkillArchiveTest, ReadsWhatTheTarCommandWrites) {
    WriteText(temp_.file("src/my-skill/SKILL.md"), kSkillMd);
    WriteText(temp_.file("src/my-skill/.env.example"), "KEY=\n");
    int exitCode = -1;
    testing::RunShell("tar -C " + temp_.file("src") + " -czf " + temp_.file("a.tgz") +
                          " my-skill && tar -C " + temp_.file("src/my-skill") + " -cf " +
                          temp_.file("b.tar") + " .",
                      &exitCode);
    ASSERT_EQ(exitCode, 0);
    ASSERT_TRUE(Extract(ReadText(temp_.file("a.tgz"))).ok());
    EXPECT_EQ(Tree(), "f .env.example 5\nf SKILL.md 53\n");
    ASSERT_TRUE(Extract(ReadText(temp_.file("b.tar"))).ok());
    EXPECT_EQ(Tree(), "f .env.example 5\nf SKILL.md 53\n");
}

TEST_F(ExtractSkillArchiveTest, SkipsAppleDoubleJunk) {
    std::string archive = MakeTar({TarEntry::File("._my-skill", "junk"),
                                   TarEntry::File("my-skill/._SKILL.md", "junk"),
                                   TarEntry::File("my-skill/SKILL.md", kSkillMd),
                                   TarEntry::File("__MACOSX/my-skill/._x", "junk"),
                                   TarEntry::Symlink("my-skill/._link", "/etc/passwd"),
                                   TarEntry::File("my-skill/docs/a.md", "a")});
    ASSERT_TRUE(Extract(archive).ok());
    EXPECT_EQ(Tree(), "f SKILL.md 53\nd docs\nf docs/a.md 1\n");
}

TEST_F(ExtractSkillArchiveTest, RefusesBytesThatAreNotATar) {
    EXPECT_EQ(Extract("hello, not an archive").message(),
              "Invalid skill archive: Unrecognized archive format");
    EXPECT_EQ(Extract("").code(), Status::Code::kInvalidArgument);
    std::string archive = MakeTar({TarEntry::File("SKILL.md", std::string(100000, 'x'))}, false);
    Status truncated = Extract(std::string_view(archive).substr(0, 2048));
    EXPECT_EQ(truncated.code(), Status::Code::kInvalidArgument);
    EXPECT_TRUE(truncated.message().starts_with("Invalid skill archive: ")) << truncated.message();
    EXPECT_EQ(Tree(), "");
}

TEST_F(ExtractSkillArchiveTest, RefusesNamesThatLeaveTheFolder) {
    struct Case {
        std::string name;
        std::string message;
    };
    for (const Case& c : std::vector<Case>{
             {"../x", "Archive entry \"../x\" has a \"..\" part"},
             {"a/../../x", "Archive entry \"a/../../x\" has a \"..\" part"},
             {"skill/..", "Archive entry \"skill/..\" has a \"..\" part"},
             {"/etc/x", "Archive entry \"/etc/x\" has an absolute name"},
             {"//x", "Archive entry \"//x\" has an absolute name"},
             {std::string(1025, 'a'), "Archive entry \"" + std::string(200, 'a') +
                                          "...\" has a name longer than 1024 bytes"},
             {"a/" + std::string(256, 'b'), "Archive entry \"a/" + std::string(198, 'b') +
                                                "...\" has a name part longer than 255 bytes"},
         }) {
        // The good entry comes first: nothing may be written before the bad one is seen.
        Status s =
            Extract(MakeTar({TarEntry::File("SKILL.md", kSkillMd), TarEntry::File(c.name, "x")}));
        EXPECT_EQ(s.code(), Status::Code::kInvalidArgument) << c.name;
        EXPECT_EQ(s.message(), c.message);
        EXPECT_EQ(Tree(), "") << c.name;
    }
}

TEST_F(ExtractSkillArchiveTest, RefusesEmptyNames) {
    std::string raw = RawUstarHeader("", '0', 0) + std::string(1024, '\0');
    EXPECT_EQ(Extract(raw).message(), "Archive entry with an empty name");
    std::string dot = RawUstarHeader(".", '0', 0) + std::string(1024, '\0');
    EXPECT_EQ(Extract(dot).message(), "Archive entry \".\" is a file without a name");
    std::string fine = RawUstarHeader("SKILL.md", '0', 0) + std::string(1024, '\0');
    EXPECT_TRUE(Extract(fine).ok());
    EXPECT_EQ(Tree(), "f SKILL.md 0\n");
}

TEST_F(ExtractSkillArchiveTest, RefusesEverythingButFilesAndFolders) {
    struct Case {
        TarEntry entry;
        std::string message;
    };
    TarEntry fifo{"pipe", TarEntry::Type::kFifo, "", ""};
    TarEntry device{"null", TarEntry::Type::kCharDevice, "", ""};
    for (const Case& c : std::vector<Case>{
             {TarEntry::Symlink("SKILL.md", "/etc/passwd"),
              "Archive entry \"SKILL.md\" is a symlink; only files and folders are allowed"},
             {TarEntry::Symlink("docs", "."),
              "Archive entry \"docs\" is a symlink; only files and folders are allowed"},
             {TarEntry::Hardlink("copy", "SKILL.md"),
              "Archive entry \"copy\" is a hardlink; only files and folders are allowed"},
             {fifo, "Archive entry \"pipe\" is a FIFO; only files and folders are allowed"},
             {device,
              "Archive entry \"null\" is a character device; only files and folders are allowed"},
         }) {
        Status s = Extract(MakeTar({TarEntry::File("SKILL.md", kSkillMd), c.entry}));
        EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
        EXPECT_EQ(s.message(), c.message);
        EXPECT_EQ(Tree(), "");
    }
}

TEST_F(ExtractSkillArchiveTest, RefusesDuplicatesAndFileFolderClashes) {
    EXPECT_EQ(Extract(MakeTar({TarEntry::File("SKILL.md", "a"), TarEntry::File("./SKILL.md", "b")}))
                  .message(),
              "Archive entry \"./SKILL.md\" appears twice");
    EXPECT_EQ(Extract(MakeTar({TarEntry::File("a", "x"), TarEntry::File("a/b", "y")})).message(),
              "Archive entry \"a/b\" makes \"a\" both a file and a folder");
    EXPECT_EQ(Extract(MakeTar({TarEntry::File("a/b", "y"), TarEntry::File("a", "x")})).message(),
              "Archive entry \"a\" makes \"a\" both a file and a folder");
    EXPECT_EQ(Extract(MakeTar({TarEntry::Folder("a/"), TarEntry::File("a", "x")})).message(),
              "Archive entry \"a\" makes \"a\" both a file and a folder");
    EXPECT_EQ(Tree(), "");
    // A folder listed twice, or after its files, is fine.
    EXPECT_TRUE(Extract(MakeTar({TarEntry::File("SKILL.md", "x"), TarEntry::File("a/b", "y"),
                                 TarEntry::Folder("a/"), TarEntry::Folder("a")}))
                    .ok());
    EXPECT_EQ(Tree(), "f SKILL.md 1\nd a\nf a/b 1\n");
}

TEST_F(ExtractSkillArchiveTest, LimitsEntriesAtTwoThousandByDefault) {
    std::vector<TarEntry> entries;
    for (int i = 0; i < 2000; ++i)
        entries.push_back(TarEntry::File("f/" + std::to_string(i), ""));
    ASSERT_TRUE(Extract(MakeTar(entries)).ok());
    entries.push_back(TarEntry::Folder("g/"));
    Status s = Extract(MakeTar(entries));
    EXPECT_EQ(s.code(), Status::Code::kTooLarge);
    EXPECT_EQ(s.message(), "Skill archive has more than 2000 entries");
    SkillArchiveLimits limits;
    limits.maxEntries = 2;
    // Junk counts too: it still costs reading.
    EXPECT_EQ(Extract(MakeTar({TarEntry::File("._a", ""), TarEntry::File("._b", ""),
                               TarEntry::File("SKILL.md", kSkillMd)}),
                      limits)
                  .message(),
              "Skill archive has more than 2 entries");
}

TEST_F(ExtractSkillArchiveTest, LimitsFileAndTotalSizes) {
    SkillArchiveLimits limits;
    limits.maxFileBytes = 10;
    limits.maxTotalBytes = 25;
    std::string ten(10, 'x');
    ASSERT_TRUE(
        Extract(MakeTar({TarEntry::File("a", ten), TarEntry::File("b", ten)}), limits).ok());
    Status file = Extract(MakeTar({TarEntry::File("a", ten + "x")}), limits);
    EXPECT_EQ(file.code(), Status::Code::kTooLarge);
    EXPECT_EQ(file.message(), "Archive entry \"a\" is larger than 10 bytes");
    Status total = Extract(MakeTar({TarEntry::File("a", ten), TarEntry::File("b", ten),
                                    TarEntry::File("c", "123456")}),
                           limits);
    EXPECT_EQ(total.code(), Status::Code::kTooLarge);
    EXPECT_EQ(total.message(), "Skill archive unpacks to more than 25 bytes");
    EXPECT_EQ(Tree(), "");
}

TEST_F(ExtractSkillArchiveTest, RefusesCompressionBombsBeforeUnpacking) {
    // 17 MiB of zeros packs into a few KiB; the header's size alone refuses it.
    std::string bomb = MakeTar({TarEntry::File("SKILL.md", kSkillMd),
                                TarEntry::File("zeros.bin", std::string(17 << 20, '\0'))});
    EXPECT_LT(bomb.size(), 64u << 10);
    Status s = Extract(bomb);
    EXPECT_EQ(s.code(), Status::Code::kTooLarge);
    EXPECT_EQ(s.message(), "Archive entry \"zeros.bin\" is larger than 16777216 bytes");
    // Three files each under the file limit, 36 MiB together: over the 32 MiB default.
    std::string twelve(12 << 20, '\0');
    std::string spread = MakeTar({TarEntry::File("a.bin", twelve), TarEntry::File("b.bin", twelve),
                                  TarEntry::File("c.bin", twelve)});
    EXPECT_LT(spread.size(), 256u << 10);
    EXPECT_EQ(Extract(spread).message(), "Skill archive unpacks to more than 33554432 bytes");
    // Junk is skipped, but skipping decompresses it all the same: it is held to the limits too.
    std::string junk = MakeTar({TarEntry::File("._zeros", std::string(17 << 20, '\0')),
                                TarEntry::File("SKILL.md", kSkillMd)});
    EXPECT_EQ(Extract(junk).message(), "Archive entry \"._zeros\" is larger than 16777216 bytes");
    EXPECT_EQ(Tree(), "");
}

TEST_F(ExtractSkillArchiveTest, LimitsHeaderBytes) {
    // Each entry costs a 512-byte header plus padding of its data to 512 bytes.
    std::vector<TarEntry> entries;
    for (int i = 0; i < 8; ++i)
        entries.push_back(TarEntry::File("f" + std::to_string(i), "x"));
    SkillArchiveLimits limits;
    limits.maxHeaderBytes = 8 * 1024;
    EXPECT_TRUE(Extract(MakeTar(entries), limits).ok());
    limits.maxHeaderBytes = 4 * 1024;
    Status s = Extract(MakeTar(entries), limits);
    EXPECT_EQ(s.code(), Status::Code::kTooLarge);
    EXPECT_EQ(s.message(), "Skill archive has more than 4096 bytes of headers");
    EXPECT_EQ(Tree(), "");
}

TEST_F(ExtractSkillArchiveTest, LimitsDepthAfterStripping) {
    std::string sixteen;
    for (int i = 0; i < 16; ++i)
        sixteen += "d" + std::to_string(i) + "/";
    // The shared top folder is stripped first, so it does not count.
    ASSERT_TRUE(Extract(MakeTar({TarEntry::File("top/" + sixteen + "f", "x")})).ok());
    EXPECT_TRUE(Extract(MakeTar({TarEntry::File(sixteen + "f", "x")})).ok());
    Status s =
        Extract(MakeTar({TarEntry::File("SKILL.md", "x"), TarEntry::File(sixteen + "x/f", "x")}));
    EXPECT_EQ(s.message(), "Archive entry \"" + sixteen + "x/f\" is nested deeper than 16 folders");
    EXPECT_EQ(Extract(MakeTar({TarEntry::File("SKILL.md", "x"), TarEntry::Folder(sixteen + "x/")}))
                  .message(),
              "Archive entry \"" + sixteen + "x/\" is nested deeper than 16 folders");
}

TEST_F(ExtractSkillArchiveTest, NeverFollowsASymlinkAlreadyInTheFolder) {
    // destDir should be empty; if it is not, a planted link is refused, not followed.
    std::string outside = temp_.file("outside");
    std::filesystem::create_directories(outside);
    std::string archive =
        MakeTar({TarEntry::File("SKILL.md", kSkillMd), TarEntry::File("docs/a", "x")});
    dest_ = temp_.file("planted");
    std::filesystem::create_directories(dest_);
    std::filesystem::create_directory_symlink(outside, dest_ + "/docs");
    Status s = ExtractSkillArchive(archive, dest_);
    EXPECT_EQ(s.code(), Status::Code::kInternal);
    EXPECT_EQ(s.message(), "Cannot open folder docs: Not a directory");
    EXPECT_EQ(RenderTree(outside), "");
    std::filesystem::remove(dest_ + "/docs");
    std::filesystem::remove(dest_ + "/SKILL.md");
    std::filesystem::create_symlink(outside + "/stolen", dest_ + "/SKILL.md");
    s = ExtractSkillArchive(archive, dest_);
    EXPECT_EQ(s.message(), "Cannot create SKILL.md: File exists");
    EXPECT_FALSE(std::filesystem::exists(outside + "/stolen"));
}

// ---- SKILL.md ----

std::string Front(const std::string& body) {
    return "---\n" + body + "---\n# Body\n";
}

std::string DescriptionOf(const std::string& frontMatter) {
    Result<SkillManifest> m = ParseSkillMd(Front("name: x\n" + frontMatter));
    if (!m.ok())
        return m.status().message();
    return m->description ? "[" + *m->description + "]" : "(none)";
}

std::string ErrorOf(const std::string& text) {
    Result<SkillManifest> m = ParseSkillMd(text);
    return m.ok() ? "ok: " + m->name : m.status().message();
}

TEST(ParseSkillMd, ReadsNameAndPlainDescription) {
    Result<SkillManifest> m = ParseSkillMd(Front("name: my-skill_2\ndescription: Does things.\n"));
    ASSERT_TRUE(m.ok()) << m.status().ToString();
    EXPECT_EQ(m->name, "my-skill_2");
    EXPECT_EQ(m->description, "Does things.");
    EXPECT_TRUE(m->envVars.empty());
}

TEST(ParseSkillMd, ReadsQuotedScalars) {
    EXPECT_EQ(
        DescriptionOf("description: \"Say \\\"hi\\\"\\tnow \\u00e9 \\U0001F600 \\\\ # no\"\n"),
        "[Say \"hi\"\tnow é 😀 \\ # no]");
    EXPECT_EQ(DescriptionOf("description: \"pair \\ud83d\\ude00\"\n"), "[pair 😀]");
    EXPECT_EQ(DescriptionOf("description: 'It''s here # not a comment'  # a comment\n"),
              "[It's here # not a comment]");
    EXPECT_EQ(DescriptionOf("description: \"two\n  lines\n\n  and a paragraph\"\n"),
              "[two lines\nand a paragraph]");
    Result<SkillManifest> quotedName = ParseSkillMd(Front("name: \"quoted\"\n"));
    ASSERT_TRUE(quotedName.ok());
    EXPECT_EQ(quotedName->name, "quoted");
}

TEST(ParseSkillMd, ReadsPlainScalarsWithCommentsAndContinuations) {
    EXPECT_EQ(DescriptionOf("description: Does things # trailing comment\n"), "[Does things]");
    EXPECT_EQ(DescriptionOf("description: a#b is kept\n"), "[a#b is kept]");
    EXPECT_EQ(DescriptionOf("description: first line\n  second line\n"),
              "[first line second line]");
    EXPECT_EQ(DescriptionOf("description:\n  on the next line\n"), "[on the next line]");
    EXPECT_EQ(DescriptionOf("description: Use it: well\n"), "[Use it: well]");
}

TEST(ParseSkillMd, ReadsBlockScalars) {
    EXPECT_EQ(DescriptionOf("description: |\n  line one\n    indented\n  line two\n"),
              "[line one\n  indented\nline two]");
    EXPECT_EQ(DescriptionOf("description: >\n  folded\n  together\n\n  new paragraph\n"),
              "[folded together\nnew paragraph]");
    EXPECT_EQ(DescriptionOf("description: >-\n  a\n    kept\n  b\n"), "[a\n  kept\nb]");
    EXPECT_EQ(DescriptionOf("description: |+ # keep\n  x\n\n"), "[x]");
    EXPECT_EQ(DescriptionOf("description: >2\n   one more space\n"), "[one more space]");
    EXPECT_EQ(DescriptionOf("description: |\n"), "(none)");
    EXPECT_EQ(DescriptionOf("description: >x\n  a\n"),
              "SKILL.md: description has an invalid block scalar header");
    EXPECT_EQ(DescriptionOf("description: |\n    deep\n  shallow\n"),
              "SKILL.md: description block is not indented consistently");
    EXPECT_EQ(DescriptionOf("description: |\n\tdeep\n"),
              "SKILL.md: description block must be indented with spaces");
}

TEST(ParseSkillMd, SkipsOtherKeysAndWhatIsNestedUnderThem) {
    Result<SkillManifest> m =
        ParseSkillMd(Front("# comment\nlicense: MIT\nmetadata:\n  name: not-this\n  tags: [a, b]\n"
                           "name: real\nallowed-tools:\n  - Bash\n\ndescription: Real.\n"));
    ASSERT_TRUE(m.ok()) << m.status().ToString();
    EXPECT_EQ(m->name, "real");
    EXPECT_EQ(m->description, "Real.");
}

TEST(ParseSkillMd, AcceptsCrlfAndAByteOrderMark) {
    Result<SkillManifest> m = ParseSkillMd(
        "\xEF\xBB\xBF---\r\nname: crlf\r\ndescription: >\r\n  two\r\n  lines\r\n---\r\nbody\r\n");
    ASSERT_TRUE(m.ok()) << m.status().ToString();
    EXPECT_EQ(m->name, "crlf");
    EXPECT_EQ(m->description, "two lines");
}

TEST(ParseSkillMd, NamesWhatIsWrongWithTheName) {
    EXPECT_EQ(ErrorOf(Front("description: x\n")), "SKILL.md: name is missing");
    EXPECT_EQ(ErrorOf(Front("name:\n")), "SKILL.md: name is missing");
    EXPECT_EQ(ErrorOf(Front("name: ~\n")), "SKILL.md: name is missing");
    EXPECT_EQ(ErrorOf(Front("name: \"\"\n")), "SKILL.md: name is missing");
    EXPECT_EQ(ErrorOf(Front("name: my skill\n")),
              "SKILL.md: name must use letters, digits, hyphens and underscores");
    EXPECT_EQ(ErrorOf(Front("name: ../evil\n")),
              "SKILL.md: name must use letters, digits, hyphens and underscores");
    EXPECT_EQ(ErrorOf(Front("name: " + std::string(64, 'n') + "\n")),
              "ok: " + std::string(64, 'n'));
    EXPECT_EQ(ErrorOf(Front("name: " + std::string(65, 'n') + "\n")),
              "SKILL.md: name must be at most 64 characters");
    EXPECT_EQ(ErrorOf(Front("name: [a]\n")), "SKILL.md: name must be a plain or quoted string");
    EXPECT_EQ(ErrorOf(Front("name:\n  - a\n")), "SKILL.md: name must be a plain or quoted string");
    EXPECT_EQ(ErrorOf(Front("name:\n  first: a\n")),
              "SKILL.md: name must be a plain or quoted string");
    EXPECT_EQ(ErrorOf(Front("name: a\nname: b\n")), "SKILL.md: name appears twice");
}

TEST(ParseSkillMd, NamesWhatIsWrongWithTheFrontMatter) {
    EXPECT_EQ(ErrorOf("# Just markdown\nname: x\n"),
              "SKILL.md: front matter is missing (the file must start with a --- line)");
    EXPECT_EQ(ErrorOf(""),
              "SKILL.md: front matter is missing (the file must start with a --- line)");
    EXPECT_EQ(ErrorOf("---\nname: x\n"),
              "SKILL.md: front matter is not closed (no second --- line)");
    EXPECT_EQ(ErrorOf("---\nname: x\n...\n"), "ok: x");
    EXPECT_EQ(ErrorOf("---\nname: x\njust words\n---\n"),
              "SKILL.md: line 3 is not a \"key: value\" pair");
    EXPECT_EQ(ErrorOf("---\n- a\n---\n"), "SKILL.md: line 2 is not a \"key: value\" pair");
    EXPECT_EQ(ErrorOf("---\n  indented: x\nname: y\n---\n"),
              "SKILL.md: line 2 is indented but belongs to no key");
}

TEST(ParseSkillMd, NamesWhatIsWrongWithTheDescription) {
    EXPECT_EQ(DescriptionOf(""), "(none)");
    EXPECT_EQ(DescriptionOf("description: \"  \"\n"), "(none)");
    EXPECT_EQ(DescriptionOf("description: \"open\n"), "SKILL.md: description has no closing quote");
    EXPECT_EQ(DescriptionOf("description: 'a' b\n"),
              "SKILL.md: description has text after its closing quote");
    EXPECT_EQ(DescriptionOf("description: \"bad \\q\"\n"),
              "SKILL.md: description has an invalid escape sequence");
    EXPECT_EQ(DescriptionOf("description: \"nul \\0\"\n"),
              "SKILL.md: description has an invalid escape sequence");
    EXPECT_EQ(DescriptionOf("description: \"lone \\ud800\"\n"),
              "SKILL.md: description has an invalid escape sequence");
    EXPECT_EQ(DescriptionOf("description: \xff\xfe\n"),
              "SKILL.md: description must be valid UTF-8");
    std::string e1024;
    for (int i = 0; i < 1024; ++i)
        e1024 += "é";
    EXPECT_EQ(DescriptionOf("description: " + e1024 + "\n"), "[" + e1024 + "]");
    EXPECT_EQ(DescriptionOf("description: " + e1024 + "e\n"),
              "SKILL.md: description must be at most 1024 characters");
    EXPECT_EQ(DescriptionOf("description: *alias\n"),
              "SKILL.md: description must be a plain or quoted string");
}

// ---- .env.example ----

std::string RenderEnv(std::string_view text) {
    Result<std::vector<SkillEnvVar>> vars = ParseEnvExample(text);
    if (!vars.ok())
        return vars.status().message();
    std::string out;
    for (const SkillEnvVar& v : *vars)
        out += v.name + (v.description ? " (" + *v.description + ")" : "") + "\n";
    return out;
}

TEST(ParseEnvExample, TakesTheCommentRightAboveAsTheDescription) {
    EXPECT_EQ(RenderEnv("# Header of the file\n\n# The API key\nAPI_KEY=\n"
                        "# unrelated, a blank line follows\n\nOTHER=x # not a description\n"
                        "export THIRD=1\n#\nFOURTH=\n# first\n#  second  \nfifth_var = v\n"),
              "API_KEY (The API key)\nOTHER\nTHIRD\nFOURTH\nfifth_var (second)\n");
    EXPECT_EQ(RenderEnv("# Token\r\nTOKEN=abc\r\n\r\n_UNDER=\r\n"), "TOKEN (Token)\n_UNDER\n");
    EXPECT_EQ(RenderEnv(""), "");
}

TEST(ParseEnvExample, RefusesLinesThatAreNotVariables) {
    EXPECT_EQ(RenderEnv("A=1\na-b=2\n"),
              ".env.example: line 2: \"a-b\" is not a valid environment variable name");
    EXPECT_EQ(RenderEnv("1ABC=\n"),
              ".env.example: line 1: \"1ABC\" is not a valid environment variable name");
    EXPECT_EQ(RenderEnv("=value\n"),
              ".env.example: line 1: \"\" is not a valid environment variable name");
    EXPECT_EQ(RenderEnv("# c\nJUST_A_NAME\n"), ".env.example: line 2: expected NAME=value");
    EXPECT_EQ(RenderEnv("A=1\nexport A=2\n"), ".env.example: line 2: A is listed twice");
    EXPECT_EQ(RenderEnv("# \xff\nA=\n"), ".env.example must be valid UTF-8");
}

// ---- folders ----

class SkillFolderTest : public ::testing::Test {
  protected:
    std::string dir() const { return temp_.file("skill"); }
    std::string Error() const {
        Result<SkillManifest> m = ReadSkillFolder(dir());
        return m.ok() ? "ok" : m.status().message();
    }
    testing::TempDir temp_;
};

TEST_F(SkillFolderTest, ReadsSkillMdAndEnvExample) {
    WriteText(dir() + "/SKILL.md", kSkillMd);
    WriteText(dir() + "/.env.example", "# Where to send\nWEBHOOK_URL=https://example.com\n");
    Result<SkillManifest> m = ReadSkillFolder(dir());
    ASSERT_TRUE(m.ok()) << m.status().ToString();
    EXPECT_EQ(m->name, "demo");
    EXPECT_EQ(m->description, "A demo skill.");
    ASSERT_EQ(m->envVars.size(), 1u);
    EXPECT_EQ(m->envVars[0].name, "WEBHOOK_URL");
    EXPECT_EQ(m->envVars[0].description, "Where to send");
}

TEST_F(SkillFolderTest, NamesTheFileThatIsWrong) {
    std::filesystem::create_directories(dir());
    EXPECT_EQ(Error(), "SKILL.md is missing");
    EXPECT_EQ(ReadSkillFolder(temp_.file("nowhere")).status().message(), "SKILL.md is missing");
    WriteText(temp_.file("elsewhere.md"), kSkillMd);
    std::filesystem::create_symlink(temp_.file("elsewhere.md"), dir() + "/SKILL.md");
    EXPECT_EQ(Error(), "SKILL.md must be a regular file");
    std::filesystem::remove(dir() + "/SKILL.md");
    std::filesystem::create_directories(dir() + "/SKILL.md");
    EXPECT_EQ(Error(), "SKILL.md must be a regular file");
    std::filesystem::remove(dir() + "/SKILL.md");
    ASSERT_EQ(::mkfifo((dir() + "/SKILL.md").c_str(), 0644), 0);
    EXPECT_EQ(Error(), "SKILL.md must be a regular file");
    std::filesystem::remove(dir() + "/SKILL.md");
    WriteText(dir() + "/SKILL.md", kSkillMd + std::string(1 << 20, '\n'));
    EXPECT_EQ(ReadSkillFolder(dir()).status().code(), Status::Code::kTooLarge);
    EXPECT_EQ(Error(), "SKILL.md is larger than 1048576 bytes");
    WriteText(dir() + "/SKILL.md", "---\ndescription: no name\n---\n");
    EXPECT_EQ(Error(), "SKILL.md: name is missing");
    WriteText(dir() + "/SKILL.md", kSkillMd);
    std::filesystem::create_symlink("/etc/hostname", dir() + "/.env.example");
    EXPECT_EQ(Error(), ".env.example must be a regular file");
    std::filesystem::remove(dir() + "/.env.example");
    WriteText(dir() + "/.env.example", "OK=1\nnot valid\n");
    EXPECT_EQ(Error(), ".env.example: line 2: expected NAME=value");
    WriteText(dir() + "/.env.example", std::string((64 << 10) + 1, '#'));
    EXPECT_EQ(Error(), ".env.example is larger than 65536 bytes");
}

TEST_F(SkillFolderTest, CidIsTheFoldersUnixFsCidAndStableAcrossExtractions) {
    std::vector<TarEntry> files = {
        TarEntry::File("SKILL.md", kSkillMd), TarEntry::File(".env.example", "# Key\nKEY=\n"),
        TarEntry::File("scripts/run.sh", "#!/bin/sh\necho hi\n"), TarEntry::Folder("empty/")};
    std::vector<TarEntry> wrapped;
    for (TarEntry e : files) {
        e.name = "wrapped/" + e.name;
        wrapped.push_back(e);
    }
    std::vector<std::string> cids;
    for (const std::string& archive : {MakeTar(files), MakeTar(files, false), MakeTar(wrapped)}) {
        std::string out = temp_.file("x" + std::to_string(cids.size()));
        std::filesystem::create_directories(out);
        ASSERT_TRUE(ExtractSkillArchive(archive, out).ok());
        content::MemoryBlockStore blocks;
        Result<ImportedSkill> skill = ImportSkillFolder(out, blocks);
        ASSERT_TRUE(skill.ok()) << skill.status().ToString();
        EXPECT_EQ(skill->manifest.name, "demo");
        ASSERT_EQ(skill->manifest.envVars.size(), 1u);
        EXPECT_EQ(skill->totalBytes, 53u + 11u + 18u);
        content::NullBlockSink null;
        Result<content::ImportResult> direct = content::ImportFolder(out, null);
        ASSERT_TRUE(direct.ok());
        EXPECT_EQ(skill->skillCid, direct->root.ToString());
        EXPECT_TRUE(skill->skillCid.starts_with("bafybei")) << skill->skillCid;
        Result<content::Cid> root = content::Cid::Parse(skill->skillCid);
        ASSERT_TRUE(root.ok());
        EXPECT_TRUE(blocks.has(*root));
        cids.push_back(skill->skillCid);
    }
    EXPECT_EQ(cids[0], cids[1]);
    EXPECT_EQ(cids[0], cids[2]);
}

TEST_F(SkillFolderTest, ImportRefusesAFolderWithoutAValidSkillMd) {
    WriteText(dir() + "/README.md", "no skill here");
    content::NullBlockSink sink;
    EXPECT_EQ(ImportSkillFolder(dir(), sink).status().message(), "SKILL.md is missing");
}

}  // namespace
}  // namespace pinfold::services
