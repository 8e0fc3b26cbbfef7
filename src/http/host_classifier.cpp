#include "http/host_classifier.h"

namespace pinfold::http {
namespace {

char Lower(char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view lowerB) {
    if (a.size() != lowerB.size())
        return false;
    for (size_t i = 0; i < a.size(); ++i) {
        if (Lower(a[i]) != lowerB[i])
            return false;
    }
    return true;
}

bool IsAgentIdChar(char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

}  // namespace

HostClassifier::HostClassifier(std::string baseDomain) {
    for (char& c : baseDomain)
        c = Lower(c);
    if (!baseDomain.empty() && baseDomain.back() == '.')
        baseDomain.pop_back();
    baseDomain_ = std::move(baseDomain);
}

HostInfo HostClassifier::classify(std::string_view host) const {
    HostInfo info;
    if (baseDomain_.empty() || host.empty() || host.front() == '[')
        return info;  // IPv6 literal
    size_t colon = host.rfind(':');
    if (colon != std::string_view::npos) {
        std::string_view port = host.substr(colon + 1);
        for (char c : port) {
            if (c < '0' || c > '9')
                return info;
        }
        host = host.substr(0, colon);
    }
    if (!host.empty() && host.back() == '.')
        host.remove_suffix(1);
    // "<id>." + base domain
    if (host.size() < baseDomain_.size() + 2)
        return info;
    size_t idLength = host.size() - baseDomain_.size() - 1;
    if (host[idLength] != '.' || !EqualsIgnoreCase(host.substr(idLength + 1), baseDomain_)) {
        return info;
    }
    if (idLength > 63)
        return info;
    std::string agentId(host.substr(0, idLength));
    for (char& c : agentId) {
        c = Lower(c);
        if (!IsAgentIdChar(c))
            return info;
    }
    info.isAgentHost = true;
    info.agentId = std::move(agentId);
    return info;
}

}  // namespace pinfold::http
