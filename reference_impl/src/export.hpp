// Marks the functions of the exported C ABI (everything else is hidden).
#pragma once

#define ASYNCREF_EXPORT extern "C" __attribute__((visibility("default")))
