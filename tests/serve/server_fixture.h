// A playground server on an ephemeral loopback port, in-process, and an HTTP client for it: the
// fixture of the server's tests (tests/serve/server_test.cpp, hardening_test.cpp).
//
//   class MyTest : public nabla::serve::ServerFixture {};
//   TEST_F(MyTest, X) { start(); auto id = create(); auto res = client().Get("/api/sessions/" + id); }
#pragma once
#include <gtest/gtest.h>
#include <httplib.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "server.h"

namespace nabla::serve {

class ServerFixture : public ::testing::Test {
 protected:
  // Starts the server with `o` on 127.0.0.1 and a port the system picks.
  void start(ServerOptions o = {}) {
    o.host = "127.0.0.1";
    o.port = 0;
    server_ = std::make_unique<PlaygroundServer>(o);
    port_ = server_->start();
    ASSERT_GT(port_, 0);
  }
  void TearDown() override {
    if (server_) server_->stop();
  }
  httplib::Client client() {
    httplib::Client c("127.0.0.1", port_);
    c.set_read_timeout(30, 0);
    return c;
  }
  // Creates a session; its id ("" if that failed, with the failure reported).
  std::string create(const nlohmann::json& config = nlohmann::json::object()) {
    auto res = client().Post("/api/sessions", config.dump(), "application/json");
    EXPECT_TRUE(res);
    if (!res) return "";
    EXPECT_EQ(res->status, 201) << res->body;
    return nlohmann::json::parse(res->body).value("id", "");
  }
  std::string host() const { return "127.0.0.1:" + std::to_string(port_); }

  std::unique_ptr<PlaygroundServer> server_;
  int port_ = 0;
};

}  // namespace nabla::serve
