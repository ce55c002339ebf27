#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One record of the alert-state changelog (group mode): the key names the group — input topic,
/// rule id and group key, separated by NUL bytes (none of the three can hold one: topic names and
/// rule ids are restricted, and the group key is the last part, taken whole) — and the value is
/// that group's state in the state file's encoding (a snapshot of one rule with one group), or
/// nil, a tombstone, when the group was dropped. A compacted topic keeps the last record per key.
public struct StateChangelogRecord: Sendable, Equatable {
    /// The version of the values this relay writes: 2 adds a deadman's counts and a firing
    /// group's last event (``AlertStateSnapshot/Group/deadman``, ``AlertStateSnapshot/Group/event``)
    /// to version 1's state-file encoding. Older values are read as they are (without those, a
    /// restored deadman waits one check and the firing list learns the alert at its next event);
    /// newer ones are counted as undecodable rather than half read.
    public static let version = 2

    public var key: [UInt8]
    /// The group's state; nil: the group is gone (a tombstone).
    public var value: [UInt8]?

    public init(key: [UInt8], value: [UInt8]?) {
        self.key = key
        self.value = value
    }

    /// The key of `group` of rule `rule` owned by a partition of `topic`.
    public static func key(topic: String, rule: String, group: String) -> [UInt8] {
        var k: [UInt8] = []
        k.reserveCapacity(topic.utf8.count + rule.utf8.count + group.utf8.count + 2)
        k += topic.utf8
        k.append(0)
        k += rule.utf8
        k.append(0)
        k += group.utf8
        return k
    }

    /// The record saying that the state of the changelog partition's groups of input `topic`
    /// (those before it in the partition) includes every input message before `offset`: the
    /// next owner resumes there. Key: the topic with an empty rule id and group key.
    public static func resumeMarker(topic: String, offset: Int64) -> StateChangelogRecord {
        StateChangelogRecord(key: key(topic: topic, rule: "", group: ""), value: Array(String(offset).utf8))
    }

    /// The key's topic, rule id and group key; nil when the key is not one this relay writes.
    public static func parse(key: [UInt8]) -> (topic: String, rule: String, group: String)? {
        guard let first = key.firstIndex(of: 0), let second = key[(first + 1)...].firstIndex(of: 0) else { return nil }
        return (String(decoding: key[..<first], as: UTF8.self), String(decoding: key[(first + 1)..<second], as: UTF8.self),
                String(decoding: key[(second + 1)...], as: UTF8.self))
    }

    /// What the records of one changelog partition restore for the input partitions of `topic`:
    /// the last record per key (a tombstone removes the group), decoded, and kept only where the
    /// rule still exists with the same shape (`rules`, ``RuleEngine/changelogHeaders``). Runs on
    /// any thread; the engine applies the result with ``RuleEngine/restore(_:owner:)``.
    public static func restored(_ records: [StateChangelogRecord], topic: String,
                                rules: [String: AlertStateSnapshot.Rule]) -> RestoredState {
        var last: [[UInt8]: [UInt8]?] = [:]
        var foreign = 0
        for r in records {
            guard let k = parse(key: r.key), k.topic == topic else {
                foreign += 1
                continue
            }
            last[r.key] = r.value
        }
        var result = RestoredState()
        result.otherTopics = foreign
        for (key, value) in last {
            guard let value, let k = parse(key: key) else { continue }  // a tombstone: the group is gone
            if k.rule.isEmpty && k.group.isEmpty {
                result.resumeOffset = Int64(String(decoding: value, as: UTF8.self))
                continue
            }
            guard let header = rules[k.rule] else {
                result.skipped += 1
                continue
            }
            let one: AlertStateSnapshot
            do {
                one = try AlertStateSnapshot.decoded(Data(value))
            } catch {
                result.undecodable += 1
                continue
            }
            guard one.version <= Self.version else {
                result.undecodable += 1
                continue
            }
            guard let saved = one.rules[k.rule], let group = saved.groups[k.group],
                  saved.groupBy == header.groupBy, saved.history == header.history,
                  saved.functionSlots == header.functionSlots, saved.steps == header.steps else {
                result.skipped += 1
                continue
            }
            if result.snapshot.rules[k.rule] == nil { result.snapshot.rules[k.rule] = header }
            result.snapshot.rules[k.rule]?.groups[k.group] = group
            result.groups += 1
        }
        return result
    }
}

/// The groups a changelog partition restores (see ``StateChangelogRecord/restored(_:topic:rules:)``),
/// and what it left out.
public struct RestoredState: Sendable {
    /// The groups, as a state-file snapshot of the current rules.
    public var snapshot = AlertStateSnapshot()
    /// Groups to restore.
    public var groups = 0
    /// Groups of rules that no longer exist or changed shape (grouping, history, functions, steps).
    public var skipped = 0
    /// Records whose value is not a state this relay can read.
    public var undecodable = 0
    /// Records of the same changelog partition owned by another input topic's partition.
    public var otherTopics = 0
    /// Where the input partition resumes: the state includes every message before this offset
    /// (nil: no marker, resume at the committed offset).
    public var resumeOffset: Int64?

    public init() {}
}
