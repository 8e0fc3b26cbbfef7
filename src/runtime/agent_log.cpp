#include "runtime/agent_log.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cerrno>
#include <fstream>

namespace pinfold::runtime {
namespace json = boost::json;
namespace {

void MakeParentDirs(const std::string& file) {
    size_t pos = 1;
    while ((pos = file.find('/', pos)) != std::string::npos) {
        ::mkdir(file.substr(0, pos).c_str(), 0755);
        ++pos;
    }
}

constexpr size_t kShortestRedactedValue = 6;

std::string Redact(std::string text, const std::vector<LogRedaction>& secrets) {
    for (const auto& s : secrets) {
        std::string mask = "[secret:" + s.name + "]";
        size_t at = 0;
        while ((at = text.find(s.value, at)) != std::string::npos) {
            text.replace(at, s.value.size(), mask);
            at += mask.size();
        }
    }
    return text;
}

}  // namespace

std::string FormatLogLineJson(const LogLine& line) {
    json::object o;
    o["t"] = line.timestampMs;
    o["level"] = line.level;
    o["source"] = line.source;
    o["message"] = line.message;
    return json::serialize(o);
}

std::optional<LogLine> ParseLogLineJson(std::string_view text) {
    boost::system::error_code ec;
    json::value v = json::parse(json::string_view(text.data(), text.size()), ec);
    if (ec || !v.is_object())
        return std::nullopt;
    const json::object& o = v.as_object();
    const json::value* t = o.if_contains("t");
    const json::value* level = o.if_contains("level");
    const json::value* source = o.if_contains("source");
    const json::value* message = o.if_contains("message");
    if (!t || !t->is_int64() || !level || !level->is_string() || !source || !source->is_string() ||
        !message || !message->is_string()) {
        return std::nullopt;
    }
    return LogLine{t->as_int64(), std::string(level->as_string()), std::string(source->as_string()),
                   std::string(message->as_string())};
}

std::string StripControlSequences(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (size_t i = 0; i < text.size(); ++i) {
        unsigned char c = static_cast<unsigned char>(text[i]);
        if (c == 0x1b) {
            // CSI: ESC [ parameters... final byte in 0x40..0x7e.
            if (i + 1 < text.size() && text[i + 1] == '[') {
                i += 2;
                while (i < text.size() && !(text[i] >= 0x40 && text[i] <= 0x7e))
                    ++i;
            } else {
                ++i;
            }
            continue;
        }
        if (c < 0x20 && c != '\t')
            continue;
        if (c == 0x7f)
            continue;
        out.push_back(static_cast<char>(c));
    }
    return out;
}

AgentLog::AgentLog(std::string filePath, size_t capacity, size_t maxFileBytes)
    : filePath_(std::move(filePath)), capacity_(capacity), maxFileBytes_(maxFileBytes) {
    if (!filePath_.empty())
        loadFile();
}

AgentLog::~AgentLog() {
    if (fd_ >= 0)
        ::close(fd_);
}

void AgentLog::setRedactions(const std::vector<LogRedaction>& secrets) {
    std::vector<LogRedaction> masks;
    for (const auto& s : secrets) {
        masks.push_back(s);
        if (s.value.find('\n') == std::string::npos)
            continue;
        size_t start = 0;
        while (start <= s.value.size()) {
            size_t end = std::min(s.value.find('\n', start), s.value.size());
            masks.push_back({s.name, s.value.substr(start, end - start)});
            start = end + 1;
        }
    }
    std::erase_if(masks,
                  [](const LogRedaction& m) { return m.value.size() < kShortestRedactedValue; });
    // Longest first, so a value that contains another is masked whole.
    std::stable_sort(masks.begin(), masks.end(),
                     [](const auto& a, const auto& b) { return a.value.size() > b.value.size(); });
    std::lock_guard<std::mutex> lock(mu_);
    redactions_ = std::move(masks);
}

void AgentLog::loadFile() {
    std::ifstream in(filePath_);
    std::string text;
    while (std::getline(in, text)) {
        std::optional<LogLine> line = ParseLogLineJson(text);
        if (!line)
            continue;
        ring_.push_back(std::move(*line));
        if (ring_.size() > capacity_)
            ring_.pop_front();
    }
    struct stat st;
    if (::stat(filePath_.c_str(), &st) == 0)
        fileBytes_ = static_cast<size_t>(st.st_size);
}

void AgentLog::append(LogLine line) {
    std::lock_guard<std::mutex> lock(mu_);
    line.message = Redact(std::move(line.message), redactions_);
    if (!filePath_.empty() && fileBytes_ > maxFileBytes_)
        rewriteFile();
    ring_.push_back(line);
    if (ring_.size() > capacity_)
        ring_.pop_front();
    if (!filePath_.empty())
        writeLine(line);
}

void AgentLog::writeLine(const LogLine& line) {
    if (fd_ < 0) {
        MakeParentDirs(filePath_);
        fd_ = ::open(filePath_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
        if (fd_ < 0)
            return;
    }
    std::string text = FormatLogLineJson(line) + "\n";
    ssize_t n = ::write(fd_, text.data(), text.size());
    if (n > 0)
        fileBytes_ += static_cast<size_t>(n);
}

void AgentLog::rewriteFile() {
    // The ring holds exactly the lines worth keeping: write them to a new file, then swap.
    std::string tmp = filePath_ + ".tmp";
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return;
    std::string text;
    for (const auto& l : ring_)
        text += FormatLogLineJson(l) + "\n";
    bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
    ::close(fd);
    if (!ok || ::rename(tmp.c_str(), filePath_.c_str()) != 0) {
        ::unlink(tmp.c_str());
        return;
    }
    if (fd_ >= 0)
        ::close(fd_);
    fd_ = -1;
    fileBytes_ = text.size();
}

std::vector<LogLine> AgentLog::tail(size_t n) const {
    std::lock_guard<std::mutex> lock(mu_);
    size_t count = std::min(n, ring_.size());
    return std::vector<LogLine>(ring_.end() - static_cast<std::ptrdiff_t>(count), ring_.end());
}

}  // namespace pinfold::runtime
