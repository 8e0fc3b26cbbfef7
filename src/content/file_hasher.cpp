#include "content/file_hasher.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

namespace pinfold::content {
namespace {

constexpr size_t kSegmentBytes = 16 << 20;
constexpr size_t kReadBufferBytes = 4 << 20;

// A file being hashed; shared by the workers hashing its segments, closed by the last one.
struct OpenFile {
    OpenFile(size_t index, int fd, uint64_t size, size_t chunks, size_t segments)
        : index(index), fd(fd), size(size), leaves(chunks), segmentsLeft(segments) {}
    ~OpenFile() { ::close(fd); }
    OpenFile(const OpenFile&) = delete;
    OpenFile& operator=(const OpenFile&) = delete;

    const size_t index;
    const int fd;
    const uint64_t size;
    // Slot i is written once, by the worker hashing chunk i; read by whoever finishes the file.
    std::vector<FileNode> leaves;
    std::atomic<size_t> segmentsLeft;
};

struct Segment {
    std::shared_ptr<OpenFile> file;
    size_t firstChunk = 0;
    size_t chunkCount = 0;
};

class HashRun {
  public:
    HashRun(const std::vector<FileSource>& sources, const ImportOptions& options, BlockSink& sink)
        : sources_(sources),
          options_(options),
          sink_(sink),
          segmentChunks_(std::max<size_t>(1, kSegmentBytes / options.chunkSize)),
          bufferBytes_(std::max<size_t>(1, kReadBufferBytes / options.chunkSize) *
                       options.chunkSize),
          results_(sources.size()) {}

    Result<std::vector<HashedFile>> Run() {
        std::vector<std::thread> helpers;
        for (unsigned i = 1; i < options_.threads && !sources_.empty(); ++i)
            helpers.emplace_back([this] { Work(); });
        Work();
        for (std::thread& t : helpers)
            t.join();
        if (failed_)
            return error_;
        return std::move(results_);
    }

  private:
    void Work() {
        std::unique_ptr<char[]> buffer(new char[bufferBytes_]);
        while (!failed_) {
            std::optional<Segment> segment;
            size_t fileIndex = 0;
            {
                std::lock_guard lock(mutex_);
                if (!segments_.empty()) {
                    segment = std::move(segments_.front());
                    segments_.pop_front();
                } else if (nextFile_ < sources_.size()) {
                    fileIndex = nextFile_++;
                } else {
                    return;
                }
            }
            Status s =
                segment ? HashSegment(*segment, buffer.get()) : StartFile(fileIndex, buffer.get());
            if (!s.ok())
                Fail(std::move(s));
        }
    }

    void Fail(Status s) {
        std::lock_guard lock(mutex_);
        if (!failed_)
            error_ = std::move(s);
        failed_ = true;
        segments_.clear();
    }

    Status StartFile(size_t index, char* buffer) {
        const FileSource& source = sources_[index];
        PINFOLD_ASSIGN_OR_RETURN(int fd, source.open());
        struct stat st;
        if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
            ::close(fd);
            return Status::InvalidArgument("Not a regular file: " + source.path);
        }
        ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
        uint64_t size = static_cast<uint64_t>(st.st_size);
        size_t chunks = std::max<uint64_t>(1, (size + options_.chunkSize - 1) / options_.chunkSize);
        size_t segments = (chunks + segmentChunks_ - 1) / segmentChunks_;
        auto file = std::make_shared<OpenFile>(index, fd, size, chunks, segments);
        if (segments > 1) {
            std::lock_guard lock(mutex_);
            for (size_t s = 1; s < segments; ++s) {
                size_t first = s * segmentChunks_;
                segments_.push_back({file, first, std::min(segmentChunks_, chunks - first)});
            }
        }
        return HashSegment({file, 0, std::min(segmentChunks_, chunks)}, buffer);
    }

    Status HashSegment(const Segment& segment, char* buffer) {
        OpenFile& file = *segment.file;
        const size_t chunkSize = options_.chunkSize;
        size_t chunk = segment.firstChunk;
        uint64_t offset = static_cast<uint64_t>(chunk) * chunkSize;
        uint64_t end =
            std::min<uint64_t>(file.size, (segment.firstChunk + segment.chunkCount) * chunkSize);
        if (file.size == 0) {
            PINFOLD_ASSIGN_OR_RETURN(file.leaves[0], PutFileLeaf({}, options_, sink_));
        }
        while (offset < end) {
            size_t want = static_cast<size_t>(std::min<uint64_t>(bufferBytes_, end - offset));
            PINFOLD_TRY(ReadFully(file, buffer, want, offset));
            for (size_t at = 0; at < want; at += chunkSize) {
                std::string_view piece(buffer + at, std::min(chunkSize, want - at));
                PINFOLD_ASSIGN_OR_RETURN(file.leaves[chunk], PutFileLeaf(piece, options_, sink_));
                ++chunk;
            }
            offset += want;
        }
        if (file.segmentsLeft.fetch_sub(1, std::memory_order_acq_rel) == 1)
            return FinishFile(file);
        return Status::Ok();
    }

    Status ReadFully(const OpenFile& file, char* buffer, size_t want, uint64_t offset) {
        size_t done = 0;
        while (done < want) {
            ssize_t n =
                ::pread(file.fd, buffer + done, want - done, static_cast<off_t>(offset + done));
            if (n < 0 && errno == EINTR)
                continue;
            if (n < 0)
                return Status::Internal("Cannot read " + sources_[file.index].path + ": " +
                                        std::strerror(errno));
            if (n == 0)
                return Changed(file);
            done += static_cast<size_t>(n);
        }
        return Status::Ok();
    }

    Status FinishFile(OpenFile& file) {
        struct stat st;
        if (::fstat(file.fd, &st) != 0 || static_cast<uint64_t>(st.st_size) != file.size)
            return Changed(file);
        PINFOLD_ASSIGN_OR_RETURN(FileNode root,
                                 PutFileTree(std::move(file.leaves), options_, sink_));
        results_[file.index] = HashedFile{root.node, file.size};
        return Status::Ok();
    }

    Status Changed(const OpenFile& file) const {
        return Status::Conflict("File changed while importing: " + sources_[file.index].path);
    }

    const std::vector<FileSource>& sources_;
    const ImportOptions& options_;
    BlockSink& sink_;
    const size_t segmentChunks_;
    const size_t bufferBytes_;

    std::mutex mutex_;
    std::deque<Segment> segments_;  // guarded by mutex_
    size_t nextFile_ = 0;           // guarded by mutex_
    Status error_;                  // guarded by mutex_; read after the workers joined
    std::atomic<bool> failed_{false};
    // Slot i is written by the worker that finishes file i; read after the workers joined.
    std::vector<HashedFile> results_;
};

}  // namespace

Result<std::vector<HashedFile>> HashFiles(const std::vector<FileSource>& sources,
                                          const ImportOptions& options, BlockSink& sink) {
    PINFOLD_TRY(ValidateImportOptions(options));
    return HashRun(sources, options, sink).Run();
}

}  // namespace pinfold::content
