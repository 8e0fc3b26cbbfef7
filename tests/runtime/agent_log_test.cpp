#include "runtime/agent_log.h"

#include <gtest/gtest.h>

#include <fstream>

#include "support/temp_dir.h"

namespace pinfold::runtime {
namespace {

std::string Render(const std::vector<LogLine>& lines) {
    std::string out;
    for (const auto& l : lines) {
        out +=
            std::to_string(l.timestampMs) + " " + l.level + " " + l.source + " " + l.message + "\n";
    }
    return out;
}

LogLine Line(int64_t t, std::string message) {
    return {t, "INFO", "engine/stdout", std::move(message)};
}

TEST(AgentLog, KeepsTheLastLinesInMemory) {
    AgentLog log("", 3);
    for (int i = 1; i <= 5; ++i)
        log.append(Line(i, "line " + std::to_string(i)));
    EXPECT_EQ(
        Render(log.tail(10)),
        "3 INFO engine/stdout line 3\n4 INFO engine/stdout line 4\n5 INFO engine/stdout line 5\n");
    EXPECT_EQ(Render(log.tail(1)), "5 INFO engine/stdout line 5\n");
}

TEST(AgentLog, LinesSurviveInTheFileAsJson) {
    testing::TempDir temp;
    std::string file = temp.path() + "/agents/a1/logs.jsonl";
    {
        AgentLog log(file, 100);
        log.append(Line(1, "hello \"world\""));
        log.append({2, "ERROR", "supervisor", "engine exited with code 1"});
    }
    std::ifstream in(file);
    std::string first;
    std::getline(in, first);
    EXPECT_EQ(first,
              R"({"t":1,"level":"INFO","source":"engine/stdout","message":"hello \"world\""})");
    AgentLog reloaded(file, 100);
    EXPECT_EQ(
        Render(reloaded.tail(10)),
        "1 INFO engine/stdout hello \"world\"\n2 ERROR supervisor engine exited with code 1\n");
}

TEST(AgentLog, FileIsCutBackToTheRingWhenTooLarge) {
    testing::TempDir temp;
    std::string file = temp.path() + "/log.jsonl";
    {
        AgentLog log(file, 2, 200);
        for (int i = 1; i <= 20; ++i)
            log.append(Line(i, "message number " + std::to_string(i)));
    }
    AgentLog reloaded(file, 1000);
    std::vector<LogLine> lines = reloaded.tail(1000);
    ASSERT_FALSE(lines.empty());
    EXPECT_LE(lines.size(), 4u);
    EXPECT_EQ(lines.back().message, "message number 20");
}

TEST(AgentLog, SecretsAreMasked) {
    AgentLog log("", 10);
    log.setRedactions({{"GATEWAY_TOKEN", "gw-token-123"},
                       {"SHORT", "abc"},
                       {"KEY", "sk-canary-7f3e9"},
                       {"KEY_PREFIX", "sk-canary"}});
    log.append(Line(1, "token=gw-token-123 and gw-token-123; abc stays (too short)"));
    EXPECT_EQ(log.tail(1)[0].message,
              "token=[secret:GATEWAY_TOKEN] and [secret:GATEWAY_TOKEN]; abc stays (too short)");
    log.append(Line(2, "key sk-canary-7f3e9 then sk-canary-1"));
    EXPECT_EQ(log.tail(1)[0].message, "key [secret:KEY] then [secret:KEY_PREFIX]-1");
}

TEST(AgentLog, AValueOfSeveralLinesIsMaskedLineByLine) {
    AgentLog log("", 10);
    log.setRedactions(
        {{"BUNDLE", "{\"access_token\": \"at-123456\",\n \"refresh\": \"rt-654321\"}"}});
    log.append(Line(1, "{\"access_token\": \"at-123456\","));
    log.append(Line(2, " \"refresh\": \"rt-654321\"}"));
    EXPECT_EQ(log.tail(2)[0].message, "[secret:BUNDLE]");
    EXPECT_EQ(log.tail(2)[1].message, "[secret:BUNDLE]");
}

TEST(AgentLog, ControlSequencesAreStripped) {
    EXPECT_EQ(StripControlSequences("\x1b[32mgreen\x1b[0m\tok\r\x07"), "green\tok");
}

TEST(AgentLog, BadFileLinesAreSkipped) {
    testing::TempDir temp;
    std::string file = temp.path() + "/log.jsonl";
    std::ofstream(file)
        << "not json\n{\"t\":5,\"level\":\"INFO\",\"source\":\"s\",\"message\":\"m\"}\n{}\n";
    AgentLog log(file, 10);
    EXPECT_EQ(Render(log.tail(10)), "5 INFO s m\n");
}

}  // namespace
}  // namespace pinfold::runtime
