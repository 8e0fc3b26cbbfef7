#include "sandbox/safe_files.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/fsuid.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include "sandbox/agent_home.h"
#include "sandbox/sandbox_test_util.h"
#include "support/temp_dir.h"

namespace pinfold::sandbox {
namespace {

std::string ReadHostFile(const std::string& path) {
    std::ifstream in(path);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

class SafeFiles : public ::testing::Test {
  protected:
    void SetUp() override {
        test::MakeTraversable(temp_.path());
        home_ = temp_.path() + "/home";
        uid_ = test::TestUid();
        ASSERT_TRUE(PrepareAgentHome(home_, uid_).ok());
        ASSERT_TRUE(WriteFileInRoot(home_, "clawd/workspace/hello.txt", uid_, "hi").ok());
    }

    // A file made by root, as the server (or the host) would own it.
    void writeAsRoot(const std::string& relative, const std::string& data, mode_t mode) {
        std::string path = home_ + "/" + relative;
        std::ofstream(path) << data;
        ::chmod(path.c_str(), mode);
    }

    std::string read(const std::string& path, size_t max = 1 << 20) {
        Result<std::string> r = ReadFileInRoot(home_, path, uid_, max);
        return r.ok() ? "OK: " + *r : r.status().ToString();
    }

    std::string write(const std::string& path, const std::string& data,
                      WriteMode mode = WriteMode::kReplace) {
        Result<WriteResult> r = WriteFileInRoot(home_, path, uid_, data, mode);
        if (!r.ok())
            return r.status().ToString();
        return "OK: " + std::to_string(r->bytesWritten) + (r->created ? " created" : " replaced");
    }

    testing::TempDir temp_;
    std::string home_;
    uint32_t uid_ = 0;
};

TEST_F(SafeFiles, ReadsAFileInsideTheRoot) {
    EXPECT_EQ(read("clawd/workspace/hello.txt"), "OK: hi");
    EXPECT_EQ(read("/clawd/workspace/hello.txt"), "OK: hi");
    EXPECT_EQ(read("clawd/workspace/../workspace/./hello.txt"), "OK: hi");
}

TEST_F(SafeFiles, DotDotNeverLeavesTheRoot) {
    EXPECT_EQ(read("../../etc/passwd"), "NotFound: File not found");
    EXPECT_EQ(read("workspace/../../..//etc/passwd"), "NotFound: File not found");
    EXPECT_EQ(read("clawd/workspace/../../../../../../etc/passwd"), "NotFound: File not found");
    EXPECT_EQ(read("/etc/passwd"), "NotFound: File not found");
    // ".." at the root stays at the root: this is the agent's own file.
    EXPECT_EQ(read("../../clawd/workspace/hello.txt"), "OK: hi");
}

TEST_F(SafeFiles, AgentSymlinkToSlashResolvesInsideTheRoot) {
    ASSERT_EQ(::symlink("/", (home_ + "/escape").c_str()), 0);
    EXPECT_EQ(read("escape/etc/shadow"), "NotFound: File not found");
    // It points at the root itself, so the agent's own files are what it reaches.
    EXPECT_EQ(read("escape/clawd/workspace/hello.txt"), "OK: hi");
    ASSERT_EQ(::symlink("/clawd/workspace/hello.txt", (home_ + "/abs-link").c_str()), 0);
    EXPECT_EQ(read("abs-link"), "OK: hi");
}

TEST_F(SafeFiles, DanglingSymlinkIsNeitherFollowedForReadNorForWrite) {
    ASSERT_EQ(::mkdir((home_ + "/clawd/workspace/uploads").c_str(), 0755), 0);
    ::chown((home_ + "/clawd/workspace/uploads").c_str(), uid_, uid_);
    std::string target = "/srv/pinfold-test-" + std::to_string(::getpid());
    std::string link = home_ + "/clawd/workspace/uploads/link";
    ASSERT_EQ(::symlink(target.c_str(), link.c_str()), 0);

    EXPECT_EQ(read("clawd/workspace/uploads/link"), "NotFound: File not found");
    EXPECT_EQ(write("clawd/workspace/uploads/link", "data"), "OK: 4 replaced");
    EXPECT_NE(::access(target.c_str(), F_OK), 0) << "wrote outside the root";
    EXPECT_NE(::access((home_ + target).c_str(), F_OK), 0) << "followed the link inside";
    struct stat st;
    ASSERT_EQ(::lstat(link.c_str(), &st), 0);
    EXPECT_TRUE(S_ISREG(st.st_mode));
    EXPECT_EQ(st.st_uid, uid_);
    EXPECT_EQ(read("clawd/workspace/uploads/link"), "OK: data");
}

TEST_F(SafeFiles, SymlinkedFolderOnTheWayStaysInsideForWrites) {
    ASSERT_EQ(::symlink("/tmp", (home_ + "/clawd/tmp-link").c_str()), 0);
    std::string name = "pinfold-escape-" + std::to_string(::getpid());
    EXPECT_EQ(write("clawd/tmp-link/" + name, "x"), "NotFound: Directory not found");
    // Like mkdir -p, folders are not created through a dangling symlink.
    EXPECT_EQ(write("clawd/tmp-link/" + name, "x", WriteMode::kCreateParents),
              "NotFound: Directory not found");
    EXPECT_NE(::access(("/tmp/" + name).c_str(), F_OK), 0);
    // Once the link's target exists inside the root, writes go there.
    ASSERT_EQ(::mkdir((home_ + "/tmp").c_str(), 0755), 0);
    ::chown((home_ + "/tmp").c_str(), uid_, uid_);
    EXPECT_EQ(write("clawd/tmp-link/" + name, "x"), "OK: 1 created");
    EXPECT_NE(::access(("/tmp/" + name).c_str(), F_OK), 0);
    EXPECT_EQ(::access((home_ + "/tmp/" + name).c_str(), F_OK), 0);
}

TEST_F(SafeFiles, RootOwnedPrivateFileIsNotFound) {
    writeAsRoot("clawd/secret.txt", "top secret", 0600);
    EXPECT_EQ(read("clawd/secret.txt"), "NotFound: File not found");
    writeAsRoot("clawd/group-secret.txt", "group secret", 0640);
    EXPECT_EQ(read("clawd/group-secret.txt"), "NotFound: File not found");
    writeAsRoot("clawd/public.txt", "public", 0644);
    EXPECT_EQ(read("clawd/public.txt"), "OK: public");
}

TEST_F(SafeFiles, WritingIntoARootOwnedFolderIsForbidden) {
    ASSERT_EQ(::mkdir((home_ + "/locked").c_str(), 0755), 0);
    EXPECT_EQ(write("locked/x.txt", "x"), "Forbidden: Permission denied");
    EXPECT_NE(::access((home_ + "/locked/x.txt").c_str(), F_OK), 0);
}

TEST_F(SafeFiles, SizeLimitIsExact) {
    ASSERT_EQ(write("clawd/sixteen.txt", "0123456789abcdef"), "OK: 16 created");
    EXPECT_EQ(read("clawd/sixteen.txt", 16), "OK: 0123456789abcdef");
    EXPECT_EQ(read("clawd/sixteen.txt", 15), "TooLarge: File too large");
    ASSERT_EQ(write("clawd/seventeen.txt", "0123456789abcdefg"), "OK: 17 created");
    EXPECT_EQ(read("clawd/seventeen.txt", 16), "TooLarge: File too large");
    ASSERT_EQ(write("clawd/empty.txt", ""), "OK: 0 created");
    EXPECT_EQ(read("clawd/empty.txt", 0), "OK: ");
}

TEST_F(SafeFiles, DirectoriesAndSpecialFilesAreRefused) {
    EXPECT_EQ(read("clawd"), "InvalidArgument: Path is a directory");
    EXPECT_EQ(read(""), "InvalidArgument: Path is a directory");
    ASSERT_EQ(::mkfifo((home_ + "/fifo").c_str(), 0666), 0);
    ::chown((home_ + "/fifo").c_str(), uid_, uid_);
    EXPECT_EQ(read("fifo"), "InvalidArgument: Path is not a regular file");
    EXPECT_EQ(write("clawd", "x"), "InvalidArgument: Path is a directory");
    EXPECT_EQ(write("clawd/", "x"), "InvalidArgument: Path is a directory");
    EXPECT_EQ(write("clawd/..", "x"), "InvalidArgument: Invalid path");
}

TEST_F(SafeFiles, WritesCreateReplaceAndCreateNew) {
    EXPECT_EQ(write("clawd/workspace/new.txt", "one"), "OK: 3 created");
    EXPECT_EQ(write("clawd/workspace/new.txt", "two!"), "OK: 4 replaced");
    EXPECT_EQ(read("clawd/workspace/new.txt"), "OK: two!");
    EXPECT_EQ(write("clawd/workspace/new.txt", "x", WriteMode::kCreateNew),
              "Conflict: File already exists");
    EXPECT_EQ(write("clawd/workspace/other.txt", "x", WriteMode::kCreateNew), "OK: 1 created");
    EXPECT_EQ(write("clawd/missing/x.txt", "x"), "NotFound: Directory not found");

    EXPECT_EQ(write("clawd/workspace/a/b/c.txt", "deep", WriteMode::kCreateParents),
              "OK: 4 created");
    struct stat st;
    ASSERT_EQ(::stat((home_ + "/clawd/workspace/a/b").c_str(), &st), 0);
    EXPECT_EQ(st.st_uid, uid_);
    ASSERT_EQ(::stat((home_ + "/clawd/workspace/a/b/c.txt").c_str(), &st), 0);
    EXPECT_EQ(st.st_uid, uid_);
    EXPECT_EQ(st.st_mode & 07777, 0644u);
}

TEST_F(SafeFiles, RootUidIsRefused) {
    Result<std::string> r = ReadFileInRoot(home_, "clawd/workspace/hello.txt", 0, 100);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().ToString(), "InvalidArgument: File access as root (uid 0) is refused");
}

TEST_F(SafeFiles, ListsAFolder) {
    ASSERT_EQ(write("clawd/workspace/b.txt", "bb"), "OK: 2 created");
    ASSERT_EQ(::symlink("/", (home_ + "/clawd/workspace/c-link").c_str()), 0);
    Result<std::vector<DirEntry>> list = ListDirInRoot(home_, "clawd/workspace", uid_);
    ASSERT_TRUE(list.ok()) << list.status().ToString();
    std::string text;
    for (const auto& e : *list)
        text += e.name + ":" + e.type + ":" + std::to_string(e.size) + " ";
    EXPECT_EQ(text, "b.txt:f:2 c-link:l:0 hello.txt:f:2 ");
    EXPECT_EQ(ListDirInRoot(home_, "clawd/workspace/hello.txt", uid_).status().ToString(),
              "InvalidArgument: Path is not a directory");
    EXPECT_EQ(ListDirInRoot(home_, "nope", uid_).status().ToString(),
              "NotFound: Directory not found");
}

TEST_F(SafeFiles, TheCallingThreadKeepsItsIdentity) {
    ASSERT_EQ(read("clawd/workspace/hello.txt"), "OK: hi");
    // Still root with every right: a root-only file is readable here.
    writeAsRoot("clawd/secret.txt", "s", 0600);
    EXPECT_TRUE(std::ifstream(home_ + "/clawd/secret.txt").good());
    EXPECT_EQ(::setfsuid(-1), 0);
}

TEST_F(SafeFiles, AgentFileAccessReadsWithoutSymlinksAndCreatesAsTheAgent) {
    Result<std::unique_ptr<AgentFileAccess>> access = AgentFileAccess::Open(home_, uid_);
    ASSERT_TRUE(access.ok()) << access.status().ToString();
    AgentFileAccess& files = **access;

    Result<UniqueFd> fd = files.openForRead("clawd/workspace/hello.txt");
    ASSERT_TRUE(fd.ok()) << fd.status().ToString();
    char buf[8] = {};
    EXPECT_EQ(::read(fd->get(), buf, sizeof buf), 2);
    EXPECT_EQ(std::string(buf), "hi");

    // A symlink anywhere on the path fails a read, even one that stays inside the root.
    ASSERT_EQ(::symlink("workspace", (home_ + "/clawd/ws").c_str()), 0);
    EXPECT_EQ(files.openForRead("clawd/ws/hello.txt").status().ToString(),
              "NotFound: File not found");
    EXPECT_EQ(*files.readLink("clawd/ws"), "workspace");
    EXPECT_FALSE(files.readLink("clawd/workspace/hello.txt").ok());
    // A file the agent may not read is not found either.
    writeAsRoot("clawd/secret.txt", "root only", 0600);
    EXPECT_FALSE(files.openForRead("clawd/secret.txt").ok());

    Result<UniqueFd> created = files.createFile("clawd/new/deep/file.txt");
    ASSERT_TRUE(created.ok()) << created.status().ToString();
    ASSERT_EQ(::write(created->get(), "abc", 3), 3);
    struct stat st;
    ASSERT_EQ(::stat((home_ + "/clawd/new/deep/file.txt").c_str(), &st), 0);
    EXPECT_EQ(st.st_uid, uid_);
    EXPECT_EQ(st.st_mode & 0777, 0644u);
    EXPECT_EQ(read("clawd/new/deep/file.txt"), "OK: abc");

    // A symlink at the name is replaced, not followed.
    ASSERT_EQ(::symlink("/etc/passwd", (home_ + "/clawd/trap").c_str()), 0);
    ASSERT_TRUE(files.createFile("clawd/trap").ok());
    ASSERT_EQ(::lstat((home_ + "/clawd/trap").c_str(), &st), 0);
    EXPECT_TRUE(S_ISREG(st.st_mode));
    ASSERT_TRUE(files.createSymlink("clawd/link", "../anywhere").ok());
    EXPECT_EQ(*files.readLink("clawd/link"), "../anywhere");
    EXPECT_EQ(files.createFile("clawd/..").status().ToString(), "InvalidArgument: Invalid path");
}

TEST_F(SafeFiles, RemoveTreeRemovesLinksNotTheirTargets) {
    Result<std::unique_ptr<AgentFileAccess>> access = AgentFileAccess::Open(home_, uid_);
    ASSERT_TRUE(access.ok()) << access.status().ToString();
    AgentFileAccess& files = **access;
    for (const char* path :
         {"clawd/workspace/skills/a/SKILL.md", "clawd/workspace/skills/a/x/y.txt",
          "clawd/workspace/skills/a/x/deep/z.txt", "clawd/keep/important.txt"}) {
        ASSERT_EQ(write(path, "data", WriteMode::kCreateParents), "OK: 4 created") << path;
    }
    std::string outside = temp_.path() + "/outside";
    ASSERT_EQ(::mkdir(outside.c_str(), 0755), 0);
    std::ofstream(outside + "/precious") << "keep me";
    std::string skill = home_ + "/clawd/workspace/skills/a";
    ASSERT_EQ(::symlink(outside.c_str(), (skill + "/out").c_str()), 0);
    ASSERT_EQ(::symlink("../../../keep", (skill + "/x/in").c_str()), 0);

    ASSERT_TRUE(files.removeTree("clawd/workspace/skills/a/").ok());
    struct stat st;
    EXPECT_NE(::lstat(skill.c_str(), &st), 0);
    EXPECT_EQ(read("clawd/keep/important.txt"), "OK: data");
    EXPECT_EQ(ReadHostFile(outside + "/precious"), "keep me");
    EXPECT_EQ(::lstat((home_ + "/clawd/workspace/skills").c_str(), &st), 0);

    // A symlink at the name goes, its target stays; so does a plain file; nothing there is fine.
    ASSERT_EQ(::symlink("../keep", (home_ + "/clawd/workspace/link").c_str()), 0);
    ASSERT_TRUE(files.removeTree("clawd/workspace/link").ok());
    EXPECT_NE(::lstat((home_ + "/clawd/workspace/link").c_str(), &st), 0);
    EXPECT_EQ(read("clawd/keep/important.txt"), "OK: data");
    ASSERT_TRUE(files.removeTree("clawd/workspace/hello.txt").ok());
    EXPECT_EQ(read("clawd/workspace/hello.txt"), "NotFound: File not found");
    EXPECT_TRUE(files.removeTree("clawd/workspace/skills/missing").ok());
    EXPECT_TRUE(files.removeTree("clawd/no/such/folder").ok());

    for (const char* path : {"", ".", "/", "clawd/..", "clawd/."})
        EXPECT_EQ(files.removeTree(path).ToString(), "InvalidArgument: Invalid path") << path;
}

TEST_F(SafeFiles, RemoveTreeStopsWhereTheAgentMayNotWriteAndAtDepth) {
    Result<std::unique_ptr<AgentFileAccess>> access = AgentFileAccess::Open(home_, uid_);
    ASSERT_TRUE(access.ok()) << access.status().ToString();
    AgentFileAccess& files = **access;
    std::string locked = home_ + "/clawd/locked";
    ASSERT_EQ(::mkdir(locked.c_str(), 0755), 0);  // root's, as the host might leave one
    writeAsRoot("clawd/locked/file", "x", 0644);
    EXPECT_EQ(files.removeTree("clawd/locked").ToString(), "Forbidden: Permission denied");
    EXPECT_EQ(ReadHostFile(locked + "/file"), "x");

    std::string deep = home_ + "/clawd/deep";
    for (int i = 0; i <= 260; ++i) {
        ASSERT_EQ(::mkdir(deep.c_str(), 0755), 0);
        ASSERT_EQ(::chown(deep.c_str(), uid_, uid_), 0);
        deep += "/d";
    }
    EXPECT_EQ(files.removeTree("clawd/deep").ToString(),
              "InvalidArgument: Directory tree too deep");
}

}  // namespace
}  // namespace pinfold::sandbox
