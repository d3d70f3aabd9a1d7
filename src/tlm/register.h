// A memory-mapped 32-bit register: name, offset, reset value, access rights and
// the callbacks that give it behaviour (VCML-style, without the framework).
#pragma once

#include <cstdint>
#include <functional>
#include <string>

namespace bitcim {

enum class Access { ReadOnly, ReadWrite, WriteOnly, ReadWriteOneToClear };

class Register {
public:
    using ReadHook = std::function<uint32_t()>;
    using WriteHook = std::function<void(uint32_t)>;

    Register(std::string name, uint64_t offset, uint32_t reset, Access access)
        : m_name(std::move(name)), m_offset(offset), m_reset(reset), m_value(reset), m_access(access) {}

    const std::string& name() const { return m_name; }
    uint64_t offset() const { return m_offset; }
    Access access() const { return m_access; }
    bool readable() const { return m_access != Access::WriteOnly; }
    bool writable() const { return m_access != Access::ReadOnly; }

    /// The value a read returns: the hook's if there is one, else the stored value.
    uint32_t read() const { return m_on_read ? m_on_read() : m_value; }
    /// Applies a bus write: stores (RW), clears the ones written (RW1C), then calls the hook.
    void write(uint32_t v) {
        if (m_access == Access::ReadWriteOneToClear) m_value &= ~v;
        else m_value = v;
        if (m_on_write) m_on_write(v);
    }
    /// Model-side access, bypassing the access rights.
    uint32_t value() const { return m_value; }
    void set(uint32_t v) { m_value = v; }
    void reset() { m_value = m_reset; }

    void on_read(ReadHook hook) { m_on_read = std::move(hook); }
    void on_write(WriteHook hook) { m_on_write = std::move(hook); }

private:
    std::string m_name;
    uint64_t m_offset;
    uint32_t m_reset;
    uint32_t m_value;
    Access m_access;
    ReadHook m_on_read;
    WriteHook m_on_write;
};

}  // namespace bitcim
