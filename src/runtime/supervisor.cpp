#include "runtime/supervisor.h"

namespace pinfold::runtime {

std::string_view ProcessStateName(ProcessState s) {
    switch (s) {
        case ProcessState::kStarting:
            return "starting";
        case ProcessState::kRunning:
            return "running";
        case ProcessState::kNotRunning:
            return "not_running";
    }
    return "not_running";
}

}  // namespace pinfold::runtime
