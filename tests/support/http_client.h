#pragma once

#include <string>
#include <utility>
#include <vector>

namespace portico::testing {

struct HttpResult {
  long status = 0;  // 0 when the request failed at the transport level
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // names lowercased
  std::string error;  // curl's message when status == 0
  // First header value by lowercase name, "" when absent.
  std::string Header(const std::string& name) const;
};

struct HttpRequest {
  std::string method = "GET";
  std::string url;
  std::vector<std::string> headers;  // "Name: value"
  std::string body;
  long timeout_ms = 10000;
  bool http10 = false;
  // For https URLs: the PEM file of the CA (or self-signed certificate) to
  // trust instead of the system's. Peer and host name are always verified.
  std::string ca_file = {};
};

// A real HTTP/1.1 request over loopback with libcurl (a fresh connection
// each time). Thread-safe.
HttpResult Fetch(const HttpRequest& request);
HttpResult Get(const std::string& url, std::vector<std::string> headers = {});
HttpResult Post(const std::string& url, const std::string& body,
                std::vector<std::string> headers = {"Content-Type: application/json"});

}  // namespace portico::testing
