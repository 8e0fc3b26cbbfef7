#include "http/client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/url/parse.hpp>

namespace pinfold::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

bhttp::verb ToVerb(Method m) {
    switch (m) {
        case Method::kGet:
            return bhttp::verb::get;
        case Method::kPost:
            return bhttp::verb::post;
        case Method::kPut:
            return bhttp::verb::put;
        case Method::kDelete:
            return bhttp::verb::delete_;
        case Method::kPatch:
            return bhttp::verb::patch;
        case Method::kHead:
            return bhttp::verb::head;
        case Method::kOptions:
            return bhttp::verb::options;
        case Method::kOther:
            break;
    }
    return bhttp::verb::get;
}

class BeastClient final : public HttpClient {
  public:
    BeastClient(std::string host, std::string port)
        : host_(std::move(host)), port_(std::move(port)), stream_(io_) {}

    Status open() {
        boost::system::error_code ec;
        asio::ip::tcp::resolver resolver(io_);
        auto endpoints = resolver.resolve(host_, port_, ec);
        if (ec)
            return Status::Unavailable("Cannot resolve " + host_ + ": " + ec.message());
        stream_.connect(endpoints, ec);
        if (ec) {
            return Status::Unavailable("Cannot connect to " + host_ + ":" + port_ + ": " +
                                       ec.message());
        }
        stream_.socket().set_option(asio::ip::tcp::no_delay(true));
        return Status::Ok();
    }

    Result<ClientResponse> request(Method method, const std::string& target,
                                   const std::string& body,
                                   const std::map<std::string, std::string>& headers) override {
        auto result = once(method, target, body, headers);
        if (result.ok())
            return result;
        // A kept-alive connection the server closed meanwhile: reconnect once.
        stream_.close();
        PINFOLD_TRY(open());
        return once(method, target, body, headers);
    }

  private:
    Result<ClientResponse> once(Method method, const std::string& target, const std::string& body,
                                const std::map<std::string, std::string>& headers) {
        bhttp::request<bhttp::string_body> req{ToVerb(method), target, 11};
        req.set(bhttp::field::host, host_ + ":" + port_);
        req.set(bhttp::field::user_agent, "pinfold-cli");
        for (const auto& [name, value] : headers)
            req.set(name, value);
        req.body() = body;
        req.prepare_payload();
        boost::system::error_code ec;
        bhttp::write(stream_, req, ec);
        if (ec)
            return Status::Unavailable("Request failed: " + ec.message());
        beast::flat_buffer buffer;
        bhttp::response_parser<bhttp::string_body> parser;
        parser.body_limit(256 * 1024 * 1024);
        bhttp::read(stream_, buffer, parser, ec);
        if (ec)
            return Status::Unavailable("Reading the response failed: " + ec.message());
        auto& res = parser.get();
        ClientResponse out;
        out.status = static_cast<int>(res.result_int());
        for (const auto& field : res) {
            std::string name(field.name_string());
            for (char& c : name)
                c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            out.headers[name] = std::string(field.value());
        }
        out.body = std::move(res.body());
        return out;
    }

    std::string host_;
    std::string port_;
    asio::io_context io_;
    beast::tcp_stream stream_;
};

}  // namespace

Result<std::unique_ptr<HttpClient>> HttpClient::Connect(const std::string& baseUrl) {
    auto url = boost::urls::parse_absolute_uri(baseUrl);
    if (!url)
        return Status::InvalidArgument("Bad server URL: " + baseUrl);
    if (url->scheme() != "http") {
        return Status::InvalidArgument("Only http:// server URLs are supported: " + baseUrl);
    }
    std::string port = url->has_port() ? std::string(url->port()) : "80";
    auto client = std::make_unique<BeastClient>(std::string(url->host()), port);
    PINFOLD_TRY(client->open());
    return std::unique_ptr<HttpClient>(std::move(client));
}

}  // namespace pinfold::http
