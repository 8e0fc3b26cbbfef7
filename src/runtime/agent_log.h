// AgentLog: one agent's log. The last lines stay in memory (a bounded ring) and every line is
// appended to a file as one JSON object per line, so the last lines survive a server restart.
// The file is rewritten with just the ring's lines when it grows past a size limit. Secret
// values (the gateway token, secrets) are masked before a line is stored anywhere.
//
// Thread-safe: all methods may be called from any thread.
#pragma once

#include <cstddef>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/supervisor.h"

namespace pinfold::runtime {

class AgentLog {
  public:
    // `filePath` empty: memory only. Loads the file's last `capacity` lines when it exists.
    AgentLog(std::string filePath, size_t capacity = 1000, size_t maxFileBytes = 1 << 20);
    ~AgentLog();
    AgentLog(const AgentLog&) = delete;
    AgentLog& operator=(const AgentLog&) = delete;

    // Each value is replaced by "[secret:NAME]" in every later line. Values shorter than 6
    // bytes are left alone (masking "abc" everywhere would garble logs and tell the value
    // anyway); a value of several lines is also masked line by line, as lines arrive one by one.
    void setRedactions(const std::vector<LogRedaction>& secrets);

    void append(LogLine line);
    // The last `n` lines, oldest first.
    std::vector<LogLine> tail(size_t n) const;

  private:
    void loadFile();
    void writeLine(const LogLine& line);
    void rewriteFile();

    const std::string filePath_;
    const size_t capacity_;
    const size_t maxFileBytes_;

    mutable std::mutex mu_;
    std::deque<LogLine> ring_;              // guarded by mu_
    std::vector<LogRedaction> redactions_;  // guarded by mu_; longest value first
    int fd_ = -1;                           // guarded by mu_; the file, opened O_APPEND
    size_t fileBytes_ = 0;                  // guarded by mu_
};

// {"t":1733233648123,"level":"INFO","source":"engine/stdout","message":"..."}
std::string FormatLogLineJson(const LogLine& line);
std::optional<LogLine> ParseLogLineJson(std::string_view text);

// Removes ANSI escape sequences (colours) and other control characters except tabs.
std::string StripControlSequences(std::string_view text);

}  // namespace pinfold::runtime
