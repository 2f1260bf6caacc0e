; Inno Setup script of the Windows installer (Inno Setup 6).
;
; Build the one-folder app on Windows first (packaging/build.sh in Git Bash, or
; `python -m PyInstaller packaging/inspector.spec`), then:
;
;   iscc /DAppVersion=0.1.0 packaging\windows\inspector.iss
;
; It writes dist\inspector-setup-VERSION.exe, which installs dist\inspector\ into
; Program Files\Inspector, adds Start-menu entries for the app and its uninstaller (and,
; if asked, a desktop icon), and puts `inspector` (the command line) in the folder too.
; Uninstalling removes the program only: the data folder (%LOCALAPPDATA%\Inspector) and
; its records stay.

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif
#define AppName "Inspector"
#define AppNameZh "市场质量检查"
#define AppExe "inspector-app.exe"

[Setup]
AppId={{6F1B3C7E-2D4A-4E59-9B8E-3A7C0D5E9F21}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher={#AppName}
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
OutputDir=..\..\dist
OutputBaseFilename=inspector-setup-{#AppVersion}
SetupIconFile=inspector.ico
UninstallDisplayIcon={app}\{#AppExe}
Compression=lzma2/max
SolidCompression=yes
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
PrivilegesRequiredOverridesAllowed=dialog
WizardStyle=modern

[Languages]
Name: "chinesesimplified"; MessagesFile: "compiler:Languages\ChineseSimplified.isl"
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
Source: "..\..\dist\inspector\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\{#AppNameZh}"; Filename: "{app}\{#AppExe}"; Comment: "{#AppName}"
Name: "{group}\{cm:UninstallProgram,{#AppNameZh}}"; Filename: "{uninstallexe}"
Name: "{autodesktop}\{#AppNameZh}"; Filename: "{app}\{#AppExe}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#AppNameZh}}"; Flags: nowait postinstall skipifsilent
