#pragma once

#include <curl/curl.h>

#include <memory>
#include <string>

#include "portico/status.h"

// libcurl plumbing shared by the mail transports (internal to src/core/mail).
namespace portico::mail {

// curl_global_init exactly once per process, before the first handle; safe to
// call from any thread. Returns Internal if libcurl cannot initialise.
Status EnsureCurlInitialized();

struct CurlEasyDeleter {
  void operator()(CURL* handle) const { curl_easy_cleanup(handle); }
};
struct CurlSlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
// A CURL handle must never be used by two threads at once.
using CurlEasy = std::unique_ptr<CURL, CurlEasyDeleter>;
using CurlSlist = std::unique_ptr<curl_slist, CurlSlistDeleter>;

// Appends to a list; returns false when libcurl is out of memory.
bool SlistAppend(CurlSlist& list, const std::string& item);

// True for failures where nothing was (or may have been) delivered because the
// peer was unreachable, slow or cut the connection: worth a retry.
bool IsTransientCurlError(CURLcode code);

// "<curl_easy_strerror>: <error buffer>" for logs (Status::internal). Never
// contains credentials: transports keep them out of URLs.
std::string DescribeCurlError(CURLcode code, const char* error_buffer);

}  // namespace portico::mail
