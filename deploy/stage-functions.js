'use strict';

// Local serverless plugin: stages build/lambda/<function>/ (code + requirements.txt, generated from
// pyproject.toml by deploy/requirements.py) before serverless-python-requirements installs and injects
// the requirements. Listed first in serverless.yml's plugins, so its hook runs first; this way a plain
// `osls package` or `osls deploy` from a fresh clone needs no extra step. Once every zip holds its
// requirements (and before the template records each zip's hash), it adds to each the content parsed to JSON
// and the templates compiled to Python modules (deploy/prebuild.py), then CPython 3.12 bytecode for every
// module (deploy/bytecode.py), so a Lambda cold start neither parses, nor compiles, what it ships.
const { execFileSync } = require('child_process');
const path = require('path');

class StageFunctions {
  constructor(serverless) {
    this.serverless = serverless;
    const stage = () => this.stage();
    const bytecode = () => this.bytecode();
    this.hooks = {
      'before:package:createDeploymentArtifacts': stage,
      'before:deploy:function:packageFunction': stage,
      'before:package:compileFunctions': bytecode,
      'before:deploy:function:deploy': bytecode,
    };
  }

  python() {
    const custom = this.serverless.service.custom || {};
    return (custom.pythonRequirements && custom.pythonRequirements.pythonBin) || 'python3';
  }

  stage() {
    const serviceDir = this.serverless.serviceDir;
    execFileSync(this.python(), ['-m', 'deploy.requirements', '--root', serviceDir], {
      cwd: serviceDir,
      stdio: 'inherit',
    });
  }

  bytecode() {
    const serviceDir = this.serverless.serviceDir;
    const functions = Object.values(this.serverless.service.functions || {});
    const artifacts = [
      ...new Set(functions.map((f) => f.package && f.package.artifact).filter(Boolean)),
    ].map((artifact) => path.resolve(serviceDir, artifact));
    if (artifacts.length === 0) {
      return;
    }
    for (const step of ['deploy.prebuild', 'deploy.bytecode']) {
      execFileSync(this.python(), ['-m', step, ...artifacts], {
        cwd: serviceDir,
        stdio: 'inherit',
      });
    }
  }
}

module.exports = StageFunctions;
