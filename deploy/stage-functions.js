'use strict';

// Local serverless plugin: stages build/lambda/<function>/ (code + requirements.txt, generated from
// pyproject.toml by deploy/requirements.py) before serverless-python-requirements installs and injects
// the requirements. Listed first in serverless.yml's plugins, so its hook runs first; this way a plain
// `osls package` or `osls deploy` from a fresh clone needs no extra step.
const { execFileSync } = require('child_process');

class StageFunctions {
  constructor(serverless) {
    this.serverless = serverless;
    const stage = () => this.stage();
    this.hooks = {
      'before:package:createDeploymentArtifacts': stage,
      'before:deploy:function:packageFunction': stage,
    };
  }

  stage() {
    const serviceDir = this.serverless.serviceDir;
    const custom = this.serverless.service.custom || {};
    const python = (custom.pythonRequirements && custom.pythonRequirements.pythonBin) || 'python3';
    execFileSync(python, ['-m', 'deploy.requirements', '--root', serviceDir], {
      cwd: serviceDir,
      stdio: 'inherit',
    });
  }
}

module.exports = StageFunctions;
