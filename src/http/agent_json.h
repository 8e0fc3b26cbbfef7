// How an agent is shown in API responses (the spec's Agent object and the detail wrapper).
#pragma once

#include <boost/json/object.hpp>
#include <string>

#include "services/agent_service.h"

namespace pinfold::http {

// The Agent object: agentId, userId, name, ..., status, engine, agentVersion.
boost::json::object AgentToJson(const services::AgentView& agent, const std::string& userId);

// An AgentSkill: agentId, skillId, skillCid, attachedAt, name, description, version, slug.
boost::json::object AgentSkillToJson(const services::AgentSkillView& skill);

// {build, start}, each {state, exitCode, startedAt, finishedAt, error}.
boost::json::object ScriptsToJson(const services::AgentScriptsView& scripts);

// GET /v0/agents/{id}: {agent, processStatus, processId, skills, secrets, snapshots,
// portForwarding, scripts}.
boost::json::object AgentDetailToJson(const services::AgentView& agent, const std::string& userId);

}  // namespace pinfold::http
